import { countAssetOutcome } from './asset-metrics';
import { ASSET_KIND_LIST, type AssetOutcome, type RunTally } from '../contract/asset-types';

/** Failure examples a tally keeps; every failure is in the manifest. */
export const MAX_FAILURE_SAMPLES = 20;

export function emptyTally(): RunTally {
  const counts = {} as RunTally['counts'];
  for (const kind of ASSET_KIND_LIST) counts[kind] = { stored: 0, skipped: 0, failed: 0 };
  return { counts, downloaded: 0, bytesDownloaded: 0, failed: 0, failures: [], apiRequests: 0 };
}

/** Every outcome a workflow decides passes here once (children's tallies are merged, not re-added). */
export function addOutcome(tally: RunTally, o: AssetOutcome): void {
  countAssetOutcome(o);
  if (o.list && o.status === 'failed') {
    tally.listsFailed = (tally.listsFailed ?? 0) + 1;
  } else {
    // A tally carried over from a run before the kind existed has no counts for it.
    tally.counts[o.kind] ??= { stored: 0, skipped: 0, failed: 0 };
    tally.counts[o.kind][o.status] += 1;
  }
  if (o.downloaded) {
    tally.downloaded += 1;
    tally.bytesDownloaded += o.bytes ?? 0;
  }
  if (o.status === 'failed') {
    tally.failed += 1;
    if (tally.failures.length < MAX_FAILURE_SAMPLES) {
      tally.failures.push({
        kind: o.kind,
        ...(o.list && { list: o.list }),
        id: o.reelId ?? o.clipId ?? o.sessionId ?? o.testId,
        reason: o.reason ?? 'unknown',
      });
    }
  }
}

/** Adds `part` into `total`. */
export function mergeTally(total: RunTally, part: RunTally): void {
  for (const kind of ASSET_KIND_LIST) {
    // Tallies of runs before a kind existed have no counts for it.
    total.counts[kind] ??= { stored: 0, skipped: 0, failed: 0 };
    for (const status of ['stored', 'skipped', 'failed'] as const) total.counts[kind][status] += part.counts[kind]?.[status] ?? 0;
  }
  total.downloaded += part.downloaded;
  total.bytesDownloaded += part.bytesDownloaded;
  total.failed += part.failed;
  if (part.listsFailed) total.listsFailed = (total.listsFailed ?? 0) + part.listsFailed;
  // Tallies carried over from runs before the field existed have none.
  total.apiRequests = (total.apiRequests ?? 0) + (part.apiRequests ?? 0);
  for (const f of part.failures) if (total.failures.length < MAX_FAILURE_SAMPLES) total.failures.push(f);
}
