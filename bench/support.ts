/** Small pure helpers of `npm run bench` (bench/run.ts). */

import type { IngestSummary } from '../workflows/asset-types';
import type { IngestTestResultInput } from '../workflows/inputs';

/** What the bench's ingest needs of an API: the simulator in this process, or one in its own. */
export interface BenchApi {
  baseUrl: string;
  tokenUrl: string;
  scenario: { clients: Array<{ clientId: string; clientSecret: string }>; rateLimit: { limit: number; windowMs: number } };
}

/** The bench's `ingest()` helper, bound to its harness. */
export type BenchIngest = (
  sim: BenchApi,
  request: IngestTestResultInput,
  env?: Record<string, string>,
) => Promise<{ summary: IngestSummary; startedAt: number; endedAt: number }>;

export interface ScaleBenchArgs {
  temporalAddress: string;
  namespace: string;
  /** Scratch folder of the bench (removed by the caller). */
  scratch: string;
  ingest: BenchIngest;
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
