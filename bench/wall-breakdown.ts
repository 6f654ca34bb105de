/**
 * Where a run's wall time goes beyond its rate bound, from the simulator's call log. The bound is
 * the fewest requests the run could make, plus those the injected faults force, at the budget's
 * pace. The rest is cut into: before the first request (the workflow starting), after the last one
 * (transfers and the manifest), requests beyond the bound (polls, retries nobody forced), the
 * pause a 429 burst imposes, waits with nothing to ask (a generation or a backoff), and the margin
 * of the dispatch (gaps a little longer than the pace), less what came sooner than the pace (the
 * budget's window lets a burst through). The parts add up to the wall time.
 */
import type { ApiCallRecord, MediaRecord } from '../simulator/stats';

/** Injected API faults whose answer must be asked again: one request each. */
const ONE_MORE_REQUEST = new Set(['serverError', 'rateLimitBurst', 'rateLimitLockout', 'revokeToken']);
/** Media faults that cost an API request: an expired link needs a new one. */
const MEDIA_FAULTS_COSTING_A_REQUEST = new Set(['linkExpiredOnFirstUse']);
/** A gap this many paces long is a wait with nothing to ask, not the dispatch's margin. */
const WAIT_GAP_PACES = 2;

export interface WallBreakdown {
  /** Requests the faults force: the bound counts them. */
  forcedRequests: number;
  boundSeconds: number;
  headSeconds: number;
  tailSeconds: number;
  extraRequests: number;
  extraRequestSeconds: number;
  rateLimitPauseSeconds: number;
  waitSeconds: number;
  dispatchMarginSeconds: number;
  /** Gaps shorter than the pace, summed: zero or less. */
  aheadOfPaceSeconds: number;
}

export function forcedRequests(calls: ApiCallRecord[], media: MediaRecord[]): number {
  let forced = 0;
  for (const call of calls) {
    if (!call.faultInjected) continue;
    if (ONE_MORE_REQUEST.has(call.faultInjected)) forced += 1;
    // A generation that ended in ERROR is started again and found again: two requests.
    else if (call.faultInjected === 'generationErrorOnce') forced += 2;
  }
  return forced + media.filter((m) => m.faultInjected && MEDIA_FAULTS_COSTING_A_REQUEST.has(m.faultInjected)).length;
}

export function wallBreakdown(
  run: { startedAt: number; endedAt: number },
  calls: ApiCallRecord[],
  media: MediaRecord[],
  minimum: number,
  perMinute: number,
): WallBreakdown {
  const pace = 60 / perMinute;
  const times = calls.map((c) => c.at).sort((a, b) => a - b);
  const forced = forcedRequests(calls, media);
  const extraRequests = calls.length - minimum - forced;
  const breakdown: WallBreakdown = {
    forcedRequests: forced,
    boundSeconds: (minimum + forced) * pace,
    headSeconds: times.length ? (times[0]! - run.startedAt) / 1000 : 0,
    tailSeconds: times.length ? (run.endedAt - times[times.length - 1]!) / 1000 : 0,
    extraRequests,
    extraRequestSeconds: extraRequests * pace,
    rateLimitPauseSeconds: 0,
    waitSeconds: 0,
    dispatchMarginSeconds: 0,
    aheadOfPaceSeconds: 0,
  };
  const ordered = [...calls].sort((a, b) => a.at - b.at);
  for (let i = 1; i < ordered.length; i++) {
    const excess = (ordered[i]!.at - ordered[i - 1]!.at) / 1000 - pace;
    if (excess <= 0) breakdown.aheadOfPaceSeconds += excess;
    else if (ordered[i - 1]!.status === 429) breakdown.rateLimitPauseSeconds += excess;
    else if (excess >= (WAIT_GAP_PACES - 1) * pace) breakdown.waitSeconds += excess;
    else breakdown.dispatchMarginSeconds += excess;
  }
  // The first request opens the span: it takes no pace of its own.
  breakdown.headSeconds -= pace;
  return breakdown;
}

export function describeBreakdown(b: WallBreakdown): string {
  const s = (n: number) => `${n.toFixed(1)} s`;
  return (
    `beyond the bound: start ${s(b.headSeconds)}, end ${s(b.tailSeconds)}, ${b.extraRequests} unforced requests ${s(b.extraRequestSeconds)}, ` +
    `429 pause ${s(b.rateLimitPauseSeconds)}, waits ${s(b.waitSeconds)}, dispatch margin ${s(b.dispatchMarginSeconds)}, ` +
    `ahead of the pace ${s(b.aheadOfPaceSeconds)}`
  );
}
