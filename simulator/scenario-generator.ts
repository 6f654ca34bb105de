import { Rng, seededUuid } from './random';
import type { ProductType } from './product-types';

/**
 * Builds realistic scenario inputs (names, timestamps, sizes) from a seed. The same options
 * always give the same scenario. Sessions are listed newest first, as the API lists them.
 */

export type ByteSize = number | [min: number, max: number];

export interface GenerateScenarioOptions {
  /** @default 1 */
  seed?: number;
  /** Number of tests. @default 1 */
  tests?: number;
  /** Id of the (first) test. @default derived from the seed */
  testId?: string;
  /** Sessions per test. @default 8 */
  sessions?: number;
  /** Relative weights of the product types drawn per session. @default THINK_OUT_LOUD 5, NON_THINK_OUT_LOUD 2, LIVE_CONVERSATION 1, SURVEY 2 */
  productMix?: Partial<Record<ProductType, number>>;
  /** Highlight reels per test. @default 2 */
  reels?: number;
  /** Clips per non-survey session, inclusive range. @default [0, 3] */
  clipsPerSession?: [min: number, max: number];
  /** @default [512 KiB, 2 MiB] */
  videoBytes?: ByteSize;
  /** @default [64 KiB, 256 KiB] */
  clipBytes?: ByteSize;
  /**
   * Clips lie within this much of the start of their session (the demo: the sample video's length,
   * so "Show in session" lands on a picture). @default the session's length
   */
  clipsWithinMs?: number;
  /** @default [256 KiB, 1 MiB] */
  reelBytes?: ByteSize;
  /** Start time of the newest session (ISO). @default 2025-06-02T09:00:00Z minus 1 h */
  newestStartTime?: string;
}

/** A fully specified test input, as produced by the generator. */
export interface GeneratedTest {
  testId: string;
  sessions: Array<{
    sessionId: string;
    productType: ProductType;
    status: 'COMPLETE';
    startTime: string;
    finishTime: string;
    audienceId: string | null;
    videoUuid: string;
    videoBytes: number;
    clips: Array<{
      uuid: string;
      name: string;
      description: string;
      timeStartMs: number;
      timeEndMs: number;
      hasAudio: boolean;
      hasCamera: boolean;
      bytes: number;
    }>;
  }>;
  reels: Array<{
    uuid: string;
    name: string;
    durationMs: number;
    lastUpdatedAtMs: number;
    numClips: number;
    areAllClipsInReel: boolean;
    bytes: number;
  }>;
}

const KiB = 1024;
const DEFAULT_MIX: Record<ProductType, number> = { THINK_OUT_LOUD: 5, NON_THINK_OUT_LOUD: 2, LIVE_CONVERSATION: 1, SURVEY: 2 };
const CLIP_MOMENTS = [
  ['Hesitates at checkout', 'Participant pauses before entering payment details'],
  ['Cannot find search', 'Scrolls the header twice looking for the search field'],
  ['Praises onboarding', 'Says the welcome tour is short and clear'],
  ['Confused by pricing', 'Compares plans and asks what "seat" means'],
  ['Abandons sign-up', 'Closes the form when asked for a phone number'],
  ['Filter works well', 'Narrows results in two clicks and finds the item'],
  ['Misreads the CTA', 'Expects "Continue" to save the cart'],
  ['Likes the dark mode', 'Switches themes and comments on readability'],
] as const;
const REEL_NAMES = ['Checkout highlights', 'Onboarding friction', 'Search and navigation', 'Pricing page reactions', 'Mobile first impressions'];

function drawSize(rng: Rng, size: ByteSize): number {
  return Array.isArray(size) ? rng.int(Math.max(1, size[0]), Math.max(1, size[1])) : Math.max(1, size);
}

function generateTest(options: GenerateScenarioOptions, seed: number, t: number): GeneratedTest {
  const testId = (t === 0 ? options.testId : undefined) ?? seededUuid(seed, 'generated-test', t);
  const rng = new Rng(seed, 'generate', testId);
  const mix = { ...DEFAULT_MIX, ...(options.productMix ?? {}) };
  const [minClips, maxClips] = options.clipsPerSession ?? [0, 3];
  const newestStart = options.newestStartTime ? Date.parse(options.newestStartTime) : Date.UTC(2025, 5, 2, 8, 0, 0);
  const audiences = [seededUuid(seed, testId, 'audience', 0), seededUuid(seed, testId, 'audience', 1), null];
  let startMs = newestStart;
  const sessions: GeneratedTest['sessions'] = [];
  for (let i = 0; i < (options.sessions ?? 8); i++) {
    if (i > 0) startMs -= rng.int(5, 240) * 60_000 + rng.int(0, 59_999);
    const lengthMs = rng.int(4, 35) * 60_000 + rng.int(0, 59_999);
    const sessionId = seededUuid(seed, testId, 'generated-session', i);
    const productType = rng.weighted(mix);
    const clipCount = productType === 'SURVEY' ? 0 : rng.int(minClips, Math.max(minClips, maxClips));
    const clips: GeneratedTest['sessions'][number]['clips'] = [];
    for (let j = 0; j < clipCount; j++) {
      const [name, description] = rng.pick(CLIP_MOMENTS);
      const span = Math.min(lengthMs, options.clipsWithinMs ?? lengthMs);
      const timeStartMs = rng.int(2_000, Math.max(2_000, span - 90_000));
      clips.push({
        uuid: seededUuid(seed, sessionId, 'generated-clip', j),
        name,
        description,
        timeStartMs,
        timeEndMs: Math.min(span, timeStartMs + rng.int(8_000, 75_000)),
        hasAudio: productType !== 'NON_THINK_OUT_LOUD' || rng.chance(0.3),
        hasCamera: productType === 'LIVE_CONVERSATION' || rng.chance(0.25),
        bytes: drawSize(rng, options.clipBytes ?? [64 * KiB, 256 * KiB]),
      });
    }
    sessions.push({
      sessionId,
      productType,
      status: 'COMPLETE',
      startTime: new Date(startMs).toISOString(),
      finishTime: new Date(startMs + lengthMs).toISOString(),
      audienceId: rng.pick(audiences),
      videoUuid: seededUuid(seed, sessionId, 'video'),
      videoBytes: drawSize(rng, options.videoBytes ?? [512 * KiB, 2048 * KiB]),
      clips,
    });
  }
  const clipTotal = sessions.reduce((n, s) => n + s.clips.length, 0);
  const reels: GeneratedTest['reels'] = [];
  for (let k = 0; k < (options.reels ?? 2); k++) {
    const numClips = clipTotal === 0 ? 0 : rng.int(1, clipTotal);
    reels.push({
      uuid: seededUuid(seed, testId, 'generated-reel', k),
      name: REEL_NAMES[k % REEL_NAMES.length] + (k >= REEL_NAMES.length ? ` ${Math.floor(k / REEL_NAMES.length) + 1}` : ''),
      durationMs: Math.max(5_000, numClips * rng.int(8_000, 40_000)),
      lastUpdatedAtMs: newestStart + lengthOfDay(rng),
      numClips,
      areAllClipsInReel: clipTotal > 0 && numClips === clipTotal,
      bytes: drawSize(rng, options.reelBytes ?? [256 * KiB, 1024 * KiB]),
    });
  }
  return { testId, sessions, reels };
}

function lengthOfDay(rng: Rng): number {
  return rng.int(1, 20) * 3_600_000 + rng.int(0, 3_599) * 1000;
}

/** A scenario input (`ScenarioInput`) with `tests` generated from the options (add `faults`, `rateLimit`, ... as needed). */
export function generateScenario(options: GenerateScenarioOptions = {}): { seed: number; tests: GeneratedTest[] } {
  const seed = options.seed ?? 1;
  const tests = Array.from({ length: options.tests ?? 1 }, (_, t) => generateTest(options, seed, t));
  return { seed, tests };
}

/** The tests of a scenario that does not list any: one small think-out-loud-heavy test. */
export function demoTests(seed: number): GeneratedTest[] {
  return generateScenario({ seed, sessions: 8, reels: 2, clipsPerSession: [1, 3] }).tests;
}
