import { generateScenario } from './scenario-generator';
import type { ScenarioInput } from './scenario';
import { SAMPLE_VIDEO_MS } from './media-bytes';

/**
 * The test result `npm run demo` archives: a dozen sessions of the four product types, highlight
 * reels, clips, transcripts. The demo and the archive page's browser test share it.
 */
export function demoScenario(): ScenarioInput {
  return generateScenario({
    seed: 2026,
    sessions: 12,
    reels: 3,
    clipsPerSession: [0, 3],
    productMix: { THINK_OUT_LOUD: 5, NON_THINK_OUT_LOUD: 3, LIVE_CONVERSATION: 1, SURVEY: 3 },
    videoBytes: [2 << 20, 8 << 20],
    clipsWithinMs: SAMPLE_VIDEO_MS,
  });
}
