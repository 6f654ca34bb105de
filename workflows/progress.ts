import { ASSET_KIND_LIST, noProgress, type AssetKind, type AssetOutcome, type ProgressSnapshot, type ProgressState } from '../contract/asset-types';

function emptyCounts(): ProgressSnapshot['assets'] {
  const counts = {} as ProgressSnapshot['assets'];
  for (const kind of ASSET_KIND_LIST) counts[kind] = noProgress();
  return counts;
}

/** A run's counts per asset kind and state, answered by the `progress` query (`contract/progress-query.ts`). */
export class ProgressTracker {
  readonly snapshot: ProgressSnapshot;

  constructor(testId: string, sessionId?: string) {
    this.snapshot = { testId, sessionId, phase: 'listing', sessions: { total: 0, done: 0 }, assets: emptyCounts(), bytesDownloaded: 0 };
  }

  move(kind: AssetKind, from: ProgressState | undefined, to: ProgressState): void {
    if (from) this.snapshot.assets[kind][from] = Math.max(0, this.snapshot.assets[kind][from] - 1);
    this.snapshot.assets[kind][to] += 1;
  }

  /** Records a finished asset that was counted as pending (or generating) before. */
  finish(outcome: AssetOutcome, from: ProgressState | undefined = 'pending'): void {
    if (outcome.list && outcome.status === 'failed') this.snapshot.listsFailed = (this.snapshot.listsFailed ?? 0) + 1;
    else this.move(outcome.kind, from, outcome.status);
    if (outcome.downloaded) this.snapshot.bytesDownloaded += outcome.bytes ?? 0;
  }
}
