import crypto from 'node:crypto';
import fs from 'node:fs';
import { expectedAssetStatuses, type RunningSimulator, type Scenario } from '../../simulator';
import { minimumRequestsOfTest } from '../../simulator/budget-metrics';
import { Crc32c } from '../../storage/crc32c';
import { assetObjectPath, recordPath } from '../../contract/asset-paths';
import type { AssetKind } from '../../contract/asset-types';

export interface ExpectedAsset {
  kind: AssetKind;
  relativePath: string;
  status: 'stored' | 'skipped';
  /** Skipped assets: where their record is, under `test_id=<id>/_ut-media/`. */
  recordPath?: string;
  digest?: { bytes: number; md5: string; crc32c: string };
}

/** What a complete ingestion of `testId` must produce, derived from the simulator's scenario. */
export function expectedAssets(sim: RunningSimulator, testId: string): ExpectedAsset[] {
  const test = (sim.scenario as Scenario).tests.find((t) => t.testId === testId)!;
  return expectedAssetStatuses(test).map((a): ExpectedAsset => {
    const identity = { kind: a.kind, testId, sessionId: a.sessionId, reelId: a.reelId, clipId: a.clipId };
    const relativePath = assetObjectPath(identity);
    if (a.status === 'skipped') return { kind: a.kind, relativePath, status: 'skipped', recordPath: recordPath(identity) };
    if (a.kind === 'details') return { kind: a.kind, relativePath, status: 'stored', digest: jsonDigest(sim.expectedSessionDetails(a.sessionId!)) };
    if (a.kind === 'qxscore') return { kind: a.kind, relativePath, status: 'stored', digest: jsonDigest(sim.expectedQxScores(testId)) };
    const digest =
      a.kind === 'transcript'
        ? undefined
        : sim.expectedDigest(
            a.kind === 'reel'
              ? { kind: 'reel', testId, reelId: a.reelId! }
              : a.kind === 'video'
                ? { kind: 'video', sessionId: a.sessionId! }
                : { kind: 'clip', sessionId: a.sessionId!, clipId: a.clipId! },
          );
    return { kind: a.kind, relativePath, status: 'stored', digest };
  });
}

/** Session details and QXscores are stored as the API's JSON, pretty-printed. */
function jsonDigest(answer: unknown): ExpectedAsset['digest'] {
  const body = Buffer.from(`${JSON.stringify(answer, null, 2)}\n`, 'utf8');
  return { bytes: body.length, md5: crypto.createHash('md5').update(body).digest('base64'), crc32c: new Crc32c().update(body).toString() };
}

/** The fewest API requests a full first run can make (issue #4's formula). */
export function minimumRequests(sim: RunningSimulator, testId: string, pages: number): number {
  return minimumRequestsOfTest(
    (sim.scenario as Scenario).tests.find((t) => t.testId === testId)!,
    pages,
  );
}

export function md5OfFile(file: string): string {
  return crypto.createHash('md5').update(fs.readFileSync(file)).digest('base64');
}

export { maxInWindow as maxCallsInWindow } from '../../simulator/budget-metrics';
