import type { FaultInjector } from './faults';

/**
 * Reel and clip generation, as the detail endpoints expose it (request-or-status): the first GET
 * starts an attempt (GENERATING); GETs before `generatingMs` has elapsed since the start answer
 * GENERATING; the first GET after it ends the attempt: GENERATED (and stays so) or, when a fault
 * says so, ERROR, after which the next GET starts a new attempt.
 */

export type GenerationStatus = 'GENERATING' | 'GENERATED' | 'ERROR';

interface AssetState {
  phase: 'generating' | 'generated';
  startedAt: number;
  attempts: number;
}

export class GenerationTracker {
  private readonly assets = new Map<string, AssetState>();

  constructor(
    private readonly generatingMs: number,
    private readonly faults: FaultInjector,
  ) {}

  /** One detail GET of the asset (`reel:<id>` / `clip:<id>`). */
  check(assetKey: string, assetId: string, now = Date.now()): { status: GenerationStatus; fault?: string } {
    let state = this.assets.get(assetKey);
    if (!state) {
      state = { phase: 'generating', startedAt: now, attempts: 1 };
      this.assets.set(assetKey, state);
    }
    if (state.phase === 'generated') return { status: 'GENERATED' };
    if (now - state.startedAt < this.generatingMs || this.faults.staysGenerating(assetId)) return { status: 'GENERATING' };
    const fault = this.faults.generationFails(assetId);
    if (fault) {
      this.assets.delete(assetKey);
      return { status: 'ERROR', fault };
    }
    state.phase = 'generated';
    return { status: 'GENERATED' };
  }

  /** Forget the asset's generated file (its content changed): the next GET generates again. */
  reset(assetKey: string): void {
    this.assets.delete(assetKey);
  }
}
