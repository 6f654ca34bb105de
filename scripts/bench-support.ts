/** Small pure helpers of `npm run bench` (scripts/bench.ts). */

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
 * list, per session the video link, the transcript and the clip list, and per reel or clip one
 * detail request that starts the generation plus one that finds it GENERATED (with the link).
 */
export function minimumRequests(counts: { pages: number; sessions: number; reels: number; clips: number }): number {
  return counts.pages + 1 + 3 * counts.sessions + 2 * (counts.reels + counts.clips);
}

/** Samples `process.memoryUsage().rss` every `everyMs` until stopped; reports the peak. */
export function sampleRss(everyMs = 100): { stop(): { baseline: number; peak: number; samples: number } } {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  let samples = 1;
  let stopped: { baseline: number; peak: number; samples: number } | undefined;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    samples++;
  }, everyMs);
  return {
    /** Idempotent: the first call freezes the figures. */
    stop() {
      if (!stopped) {
        clearInterval(timer);
        peak = Math.max(peak, process.memoryUsage().rss);
        stopped = { baseline, peak, samples };
      }
      return stopped;
    },
  };
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export function ratio(n: number, d: number, digits = 2): string {
  return d === 0 ? 'n/a' : (n / d).toFixed(digits);
}
