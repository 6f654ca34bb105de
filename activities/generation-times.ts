/**
 * How long reels and clips take to generate, learned in this worker from the checks it makes, so
 * a generation is checked again when it is likely done rather than on a blind backoff: every early
 * check is a request of the budget spent for nothing.
 *
 * A check that finds an asset GENERATED `elapsed` ms after its generation started, the previous
 * check having found it still GENERATING at `lastGenerating` ms, bounds its generation time: the
 * sample is the middle of the two. Found done at the first check after the start, the asset says only
 * "no longer than advised": the sample is a little under the current estimate, so the estimate can
 * come down (and does not creep up with each on-time check). The estimate is the 75th percentile of
 * the recent samples of its kind. With no sample yet, no advice: the workflow's backoff applies.
 */
export type GenerationKind = 'reel' | 'clip';

const RECENT = 25;
/** A check that waited for the budget longer than this (and than a tenth of the time elapsed) found the asset done late. */
const LATE_AFTER_MS = 1000;

export class GenerationTimes {
  private readonly samples: Record<GenerationKind, number[]> = { reel: [], clip: [] };

  /**
   * An asset of `kind` was found GENERATED `elapsedMs` after its generation started (last seen
   * GENERATING at `lastGeneratingMs`), by a check that waited `queuedMs` for the budget. A check
   * that waited long behind other requests says only "no longer than this" (the asset may have been
   * done long before): it may bring the estimate down, never up.
   */
  generated(kind: GenerationKind, elapsedMs: number, lastGeneratingMs = 0, queuedMs = 0): void {
    const estimate = this.estimateMs(kind);
    const late = queuedMs > Math.max(LATE_AFTER_MS, 0.1 * elapsedMs);
    if (late && estimate === undefined) return;
    const sample =
      lastGeneratingMs > 0 && !late ? (lastGeneratingMs + elapsedMs) / 2 : estimate === undefined ? elapsedMs : 0.97 * Math.min(elapsedMs, estimate);
    const list = this.samples[kind];
    list.push(Math.max(0, sample));
    if (list.length > RECENT) list.shift();
  }

  /** How long to wait before checking again an asset generating for `elapsedMs`, if there is advice. */
  checkAgainInMs(kind: GenerationKind, elapsedMs: number): number | undefined {
    const estimate = this.estimateMs(kind);
    if (estimate === undefined || elapsedMs >= estimate) return undefined;
    return Math.ceil(estimate - elapsedMs + Math.max(100, 0.05 * estimate));
  }

  estimateMs(kind: GenerationKind): number | undefined {
    const list = this.samples[kind];
    if (!list.length) return undefined;
    const sorted = [...list].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(0.75 * sorted.length))];
  }
}
