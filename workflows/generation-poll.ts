import { sleep } from '@temporalio/workflow';
import type { AssetOutcome, GenerationCheck } from './asset-types';
import type { RunOptions } from './inputs';

/**
 * The durable poll of a reel or clip: each check is one detail request (the first starts the
 * generation); GENERATING waits on a workflow timer growing from pollInitialDelayMs to
 * pollMaxDelayMs; ERROR starts a new attempt at once, at most maxGenerationAttempts times; past
 * generationDeadlineMs the asset is failed. Timers survive worker and server restarts.
 */
export async function pollGeneration(
  check: () => Promise<GenerationCheck>,
  options: RunOptions,
  fail: (reason: string) => AssetOutcome,
  onState: (state: 'generating') => void = () => undefined,
): Promise<AssetOutcome> {
  const startedAt = Date.now(); // workflow time: deterministic
  let delay = options.pollInitialDelayMs;
  let attempts = 1;
  for (;;) {
    const result = await check();
    if (result.state === 'done') return result.outcome;
    if (result.state === 'error') {
      if (attempts >= options.maxGenerationAttempts) return fail(`generation ended in ERROR ${attempts} times`);
      attempts += 1;
      delay = options.pollInitialDelayMs;
      continue; // the next detail request starts a new attempt
    }
    onState('generating');
    const waited = Date.now() - startedAt;
    if (waited >= options.generationDeadlineMs) return fail(`still generating after ${Math.round(waited / 1000)} s (deadline ${Math.round(options.generationDeadlineMs / 1000)} s)`);
    await sleep(Math.min(delay, Math.max(1, options.generationDeadlineMs - waited)));
    delay = Math.min(delay * 2, options.pollMaxDelayMs);
  }
}
