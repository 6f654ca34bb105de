/**
 * The cluster-wide API budget as a task-queue rate for `maxTaskQueueActivitiesPerSecond`.
 *
 * The server dispatches API activities from a token bucket that can hold about one second of
 * burst, so dispatching at exactly `limit/60` can let `limit + burst` requests into one 60 s window.
 * We dispatch below the budget by that burst with half as much again to spare: 1.5 s of requests,
 * at least one per minute (10/min → 9/min; 300/min → 292.5/min; 600/min → 585/min). A flat 5 %
 * (570/min of 600) was safe too, but left 2.5 % of every large run's time unused. Every worker must
 * compute the same value, since the last poller's value wins (docs/api-budget.md, "Same budget
 * everywhere"). Dispatching at exactly the budget and relying on `x-ratelimit-remaining: 0` to hold
 * the burst back (the API client does hold back) was tried: with two worker processes each learns
 * it only from its own answers, and a 429 got through.
 */
export function apiActivitiesPerSecond(requestsPerMinute: number): number {
  const burstHeldBack = Math.max(1, (BURST_SECONDS_HELD_BACK * requestsPerMinute) / 60);
  const perMinute = Math.max(0.5 * requestsPerMinute, requestsPerMinute - burstHeldBack);
  return perMinute / 60;
}

/** The server's bucket holds about a second of burst; this much is held back from the dispatch rate. */
const BURST_SECONDS_HELD_BACK = 1.5;
