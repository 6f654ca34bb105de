import { ASSET_KIND_LIST, noProgress, type AssetKind, type ProgressSnapshot, type ProgressState } from '../contract/asset-types';
import { sessionsNeeded, type AssetSelection } from '../contract/inputs';

/** What the display knows of one test's run: the parent's progress, the reels child's while it runs, and running sessions'. */
export interface RunProgress {
  snapshot: ProgressSnapshot;
  reels?: ProgressSnapshot;
  /** Some (or all) of the session children running now. */
  inFlight?: ProgressSnapshot[];
  /** Requests already shown: a child that finished between two queries is briefly counted nowhere. */
  spentAtLeast?: number;
  only: readonly AssetSelection[];
}

export interface RunTotals {
  /** Per kind and state, the finished sessions' and the reels' counts plus what running children report. */
  assets: Record<AssetKind, Record<ProgressState, number>>;
  bytes: number;
  /** Requests made so far. */
  spent: number;
  /** Requests still to come, estimated. */
  remaining: number;
  /** Seconds the remaining requests take at the budget. */
  etaSeconds: number;
}

/** Seconds `requests` take at the budget (requests per minute). */
export const secondsAtBudget = (requests: number, ratePerMinute: number) => Math.ceil((requests * 60) / ratePerMinute);

/** Requests a session costs before any has finished: one per wanted session kind, clips as a list and one clip. */
function priorPerSession(only: readonly AssetSelection[]): number {
  return (only.includes('videos') ? 1 : 0) + (only.includes('transcripts') ? 1 : 0) + (only.includes('details') ? 1 : 0) + (only.includes('clips') ? 3 : 0);
}

/**
 * Where a run stands and its honest ETA: what is left to request, at the budget. A session costs
 * what the finished ones cost on average (a prior before the first); a reel still to fetch two
 * checks. Generation waits that nothing hides, and retries, come on top.
 */
export function totalsOf(run: RunProgress, ratePerMinute: number): RunTotals {
  const { snapshot: s, only } = run;
  const assets = {} as RunTotals['assets'];
  // A run of an older version has no counts for the kinds added since.
  for (const kind of ASSET_KIND_LIST) assets[kind] = { ...noProgress(), ...s.assets[kind] };
  let bytes = s.bytesDownloaded;
  let spent = s.apiRequests ?? 0;
  const reelsRunning = !s.reelsDone && run.reels !== undefined;
  if (reelsRunning) {
    assets.reel = { ...run.reels!.assets.reel };
    bytes += run.reels!.bytesDownloaded;
    spent += run.reels!.apiRequests ?? 0;
  }
  let spentInFlight = 0;
  for (const child of run.inFlight ?? []) {
    for (const kind of ['clip', 'video', 'transcript', 'details'] as const) {
      for (const state of Object.keys(assets[kind]) as ProgressState[]) assets[kind][state] += child.assets[kind]?.[state] ?? 0;
    }
    bytes += child.bytesDownloaded;
    spentInFlight += child.apiRequests ?? 0;
  }
  spent = Math.max(spent + spentInFlight, run.spentAtLeast ?? 0);

  let remaining = 0;
  if (s.phase !== 'done' && s.phase !== 'writing-manifest') {
    const done = s.sessions.done;
    const perSession = done > 0 ? (s.sessionApiRequests ?? 0) / done : priorPerSession(only);
    remaining += Math.max(0, Math.max(0, s.sessions.total - done) * perSession - spentInFlight);
    if (s.phase === 'listing' && sessionsNeeded(only)) remaining += 1;
    if (reelsRunning) remaining += 2 * (run.reels!.assets.reel.pending + run.reels!.assets.reel.generating) + (run.reels!.phase === 'listing' ? 1 : 0);
    else if (!s.reelsDone && only.includes('reels')) remaining += 1;
    // Decided after the sessions: one request unless stored or known absent (not known here).
    const qx = assets.qxscore;
    if (only.includes('qxscore') && qx.stored + qx.skipped + qx.failed === 0) remaining += 1;
  }
  remaining = Math.round(remaining);
  return { assets, bytes, spent, remaining, etaSeconds: secondsAtBudget(remaining, ratePerMinute) };
}
