/**
 * How long reels and clips take to generate, learned in this worker from the checks it makes, so
 * a generation is checked again when it is likely done rather than on a blind backoff: every early
 * check is a request of the budget spent for nothing.
 *
 * A check that finds an asset GENERATED `elapsed` ms after its generation started is a sample (an
 * upper bound of that asset's generation time). The estimate is the 75th percentile of the recent
 * samples of its kind: a little late for most assets, rarely early. With no sample yet, no advice:
 * the workflow's own backoff applies.
 */
export type GenerationKind = 'reel' | 'clip';

const RECENT = 25;

export class GenerationTimes {
  private readonly samples: Record<GenerationKind, number[]> = { reel: [], clip: [] };

  /** An asset of `kind` was found GENERATED `elapsedMs` after its generation started. */
  generated(kind: GenerationKind, elapsedMs: number): void {
    const list = this.samples[kind];
    list.push(Math.max(0, elapsedMs));
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
