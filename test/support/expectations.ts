import crypto from 'node:crypto';
import fs from 'node:fs';
import type { RunningSimulator, Scenario } from '../../simulator';
import { minimumRequests as minimumRequestsFor } from '../../simulator/budget-metrics';
import { recordPath } from '../../workflows/asset-paths';

export interface ExpectedAsset {
  kind: 'reel' | 'clip' | 'video' | 'transcript';
  relativePath: string;
  status: 'stored' | 'skipped';
  /** Skipped assets: where their record is, under `test_id=<id>/_ut-media/`. */
  recordPath?: string;
  digest?: { bytes: number; md5: string; crc32c: string };
}

/** What a complete ingestion of `testId` must produce, derived from the simulator's scenario. */
export function expectedAssets(sim: RunningSimulator, testId: string): ExpectedAsset[] {
  const test = (sim.scenario as Scenario).tests.find((t) => t.testId === testId)!;
  const out: ExpectedAsset[] = [];
  const base = `test_id=${testId}`;
  for (const reel of test.reels) {
    out.push({ kind: 'reel', relativePath: `${base}/highlight_reels/${reel.uuid}.mp4`, status: 'stored', digest: sim.expectedDigest({ kind: 'reel', testId, reelId: reel.uuid }) });
  }
  for (const s of test.sessions) {
    const prefix = `${base}/session_id=${s.sessionId}`;
    const hasVideo = s.productType !== 'SURVEY';
    const hasTranscript = s.productType === 'THINK_OUT_LOUD' || s.productType === 'LIVE_CONVERSATION';
    const sessionId = s.sessionId;
    if (hasVideo) out.push({ kind: 'video', relativePath: `${prefix}/session.mp4`, status: 'stored', digest: sim.expectedDigest({ kind: 'video', sessionId }) });
    else out.push({ kind: 'video', relativePath: `${prefix}/session.mp4`, status: 'skipped', recordPath: recordPath({ kind: 'video', testId, sessionId }) });
    if (hasTranscript) out.push({ kind: 'transcript', relativePath: `${prefix}/transcript.vtt`, status: 'stored' });
    else out.push({ kind: 'transcript', relativePath: `${prefix}/transcript.vtt`, status: 'skipped', recordPath: recordPath({ kind: 'transcript', testId, sessionId }) });
    // Without a session video the clip list answers 404: one skipped list-level record.
    if (!hasVideo) out.push({ kind: 'clip', relativePath: `${prefix}/clips`, status: 'skipped', recordPath: recordPath({ kind: 'clip', testId, sessionId }) });
    for (const clip of s.clips) {
      out.push({ kind: 'clip', relativePath: `${prefix}/clips/${clip.uuid}.mp4`, status: 'stored', digest: sim.expectedDigest({ kind: 'clip', sessionId: s.sessionId, clipId: clip.uuid }) });
    }
  }
  return out;
}

/** The fewest API requests a full first run can make (issue #4's formula). */
export function minimumRequests(sim: RunningSimulator, testId: string, pages: number): number {
  const test = (sim.scenario as Scenario).tests.find((t) => t.testId === testId)!;
  const clips = test.sessions.reduce((n, s) => n + s.clips.length, 0);
  return minimumRequestsFor({ pages, sessions: test.sessions.length, reels: test.reels.length, clips });
}

export function md5OfFile(file: string): string {
  return crypto.createHash('md5').update(fs.readFileSync(file)).digest('base64');
}

export { maxInWindow as maxCallsInWindow } from '../../simulator/budget-metrics';
