/**
 * The cluster-wide API budget as a task-queue rate for `maxTaskQueueActivitiesPerSecond`.
 *
 * The server dispatches API activities from a token bucket that can hold about one second of
 * burst, so dispatching at exactly `limit/60` can let `limit + burst` requests into one 60 s window.
 * We dispatch slightly below the budget: one request less per minute, or 5 % less for large
 * budgets (10/min → 9/min; 600/min → 570/min). Every worker must compute the same value, since
 * the last poller's value wins (docs/api-budget.md, "Same budget everywhere"). Dispatching at
 * exactly the budget and relying on `x-ratelimit-remaining: 0` to hold the burst back (the API
 * client does hold back) was tried: with two worker processes each learns it only from its own
 * answers, and a 429 got through.
 */
export function apiActivitiesPerSecond(requestsPerMinute: number): number {
  const perMinute = Math.max(0.5 * requestsPerMinute, Math.min(requestsPerMinute - 1, 0.95 * requestsPerMinute));
  return perMinute / 60;
}
