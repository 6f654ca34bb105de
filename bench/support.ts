/** Small pure helpers of `npm run bench` (bench/run.ts). */

import type { IngestSummary } from '../contract/asset-types';
import type { IngestTestResultInput } from '../contract/inputs';

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
export interface RssSamples {
  baseline: number;
  peak: number;
  /** Every sample, in order: [ms since the start, RSS]. */
  trace: Array<[number, number]>;
}

export function sampleRss(everyMs = 100): { stop(): RssSamples } {
  const started = Date.now();
  const trace: Array<[number, number]> = [[0, process.memoryUsage().rss]];
  const baseline = trace[0]![1];
  let stopped: RssSamples | undefined;
  const sample = () => trace.push([Date.now() - started, process.memoryUsage().rss]);
  const timer = setInterval(sample, everyMs);
  return {
    /** Idempotent: the first call freezes the figures. */
    stop() {
      if (!stopped) {
        clearInterval(timer);
        sample();
        stopped = { baseline, peak: Math.max(...trace.map(([, rss]) => rss)), trace };
      }
      return stopped;
    },
  };
}

/** How much higher RSS went in the last three quarters of a run than in its first quarter: growth with the bytes, not start-up. */
export function lateGrowth(samples: RssSamples): number {
  const end = samples.trace[samples.trace.length - 1]![0];
  const early = samples.trace.filter(([t]) => t <= end / 4).map(([, rss]) => rss);
  const late = samples.trace.filter(([t]) => t > end / 4).map(([, rss]) => rss);
  return late.length && early.length ? Math.max(...late) - Math.max(...early) : 0;
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export function ratio(n: number, d: number, digits = 2): string {
  return d === 0 ? 'n/a' : (n / d).toFixed(digits);
}
