/** Figures over the simulator's call log, shared by the tests and `npm run bench`. */

/** Largest number of timestamps inside any window of `windowMs` (sliding, start inclusive). */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/**
 * The fewest Results API requests a first full run of a test can make: the session pages, the reel
 * list, the QXscores, per session the video link, the transcript, the clip list and the details, and
 * per reel or clip one detail request that starts the generation plus one that finds it GENERATED
 * (with the link). `media`: a run of the media kinds only (no details, no QXscores).
 */
export function minimumRequests(
  counts: { pages: number; sessions: number; reels: number; clips: number },
  scope: 'everything' | 'media' = 'everything',
): number {
  const context = scope === 'everything' ? 1 + counts.sessions : 0;
  return counts.pages + 1 + 3 * counts.sessions + 2 * (counts.reels + counts.clips) + context;
}

/** `minimumRequests` of one scenario test, read `pages` pages at a time. */
export function minimumRequestsOfTest(
  test: { sessions: Array<{ clips: unknown[] }>; reels: unknown[] },
  pages: number,
  scope: 'everything' | 'media' = 'everything',
): number {
  const clips = test.sessions.reduce((n, s) => n + s.clips.length, 0);
  return minimumRequests({ pages, sessions: test.sessions.length, reels: test.reels.length, clips }, scope);
}

/** A scenario's rate limit as requests per minute (what UT_RATE_LIMIT_PER_MINUTE says). */
export function requestsPerMinute(rateLimit: { limit: number; windowMs: number }): number {
  return (rateLimit.limit * 60_000) / rateLimit.windowMs;
}
