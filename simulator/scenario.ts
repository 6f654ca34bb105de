import { z } from 'zod';
import { demoTests, type GeneratedTest } from './scenario-generator';
import { Rng, seededUuid } from './random';
import { PRODUCT_TYPES, type ProductType } from './product-types';

/**
 * The simulator's world, as one zod schema. Every field has a default, so `{}` is a valid
 * scenario (one demo test generated from the seed). Ids, names, timestamps and sizes that are
 * left out are filled in deterministically from `seed`; the parsed `Scenario` is fully resolved.
 */

export { PRODUCT_TYPES, type ProductType } from './product-types';

/** Any 8-4-4-4-12 hex UUID (the API's own check is as lenient). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A media object key: `video:<sessionId>`, `clip:<clipUuid>` or `reel:<reelId>`. */
export const MEDIA_KEY_PATTERN = /^(video|clip|reel):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const DEMO_CLIENT = { clientId: 'demo-client', clientSecret: 'demo-secret' } as const;
/** Fixed reference instant (2025-06-02T09:00:00Z) from which generated timestamps count back. */
export const SCENARIO_EPOCH_MS = Date.UTC(2025, 5, 2, 9, 0, 0);

const KiB = 1024;
const uuid = z.string().regex(UUID_PATTERN, 'must be a UUID');
const mediaKey = z.string().regex(MEDIA_KEY_PATTERN, "must be 'video:<sessionId>', 'clip:<clipUuid>' or 'reel:<reelId>'");
const bytes = (fallback: number) => z.number().int().min(1).default(fallback);
const isoTime = z.iso.datetime({ offset: true });

const clipInput = z.object({
  uuid: uuid.optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  timeStartMs: z.number().int().min(0).optional(),
  timeEndMs: z.number().int().min(0).optional(),
  hasAudio: z.boolean().default(true),
  hasCamera: z.boolean().default(false),
  bytes: bytes(256 * KiB),
});

const sessionInput = z.object({
  sessionId: uuid.optional(),
  productType: z.enum(PRODUCT_TYPES).default('THINK_OUT_LOUD'),
  status: z.literal('COMPLETE').default('COMPLETE'),
  startTime: isoTime.optional(),
  finishTime: isoTime.nullable().optional(),
  audienceId: uuid.nullable().optional(),
  /** Id of the session's video (the clips' `videoUuid`). */
  videoUuid: uuid.optional(),
  videoBytes: bytes(1024 * KiB),
  clips: z.array(clipInput).default([]),
});

const reelInput = z.object({
  uuid: uuid.optional(),
  name: z.string().optional(),
  durationMs: z.number().int().min(0).optional(),
  lastUpdatedAtMs: z.number().int().min(0).optional(),
  numClips: z.number().int().min(0).optional(),
  areAllClipsInReel: z.boolean().default(false),
  bytes: bytes(512 * KiB),
});

const testInput = z.object({
  testId: uuid.optional(),
  sessions: z.array(sessionInput).default([]),
  reels: z.array(reelInput).default([]),
});

export const faultsSchema = z.object({
  /** Every Nth Results API call (/api/v2 and /api/v3, all calls counted, 1-based) answers 500, then 503, alternately. */
  serverErrorEveryNth: z.number().int().min(1).optional(),
  /** Calls atCall..atCall+count-1 all answer 503 (charged): an outage behind the gateway. */
  serverErrorStorm: z.object({ atCall: z.number().int().min(1), count: z.number().int().min(1) }).optional(),
  /**
   * From call `atCall` on, every call answers 429 until `resetSeconds` after it (the window of a
   * budget someone else spent): a 429 with a long reset, as the real gateway sends it.
   */
  rateLimitLockout: z.object({ atCall: z.number().int().min(1), resetSeconds: z.number().int().min(1) }).optional(),
  /** Calls atCall..atCall+count-1 answer 429 (remaining 0, reset `resetSeconds`) whatever the budget. */
  rateLimitBurst: z
    .object({
      atCall: z.number().int().min(1),
      count: z.number().int().min(1).default(1),
      resetSeconds: z.number().int().min(1).default(1),
    })
    .optional(),
  /** The bearer token presented on this call (1-based) is revoked: this and every later use → 401. */
  revokeTokenAtCall: z.number().int().min(1).optional(),
  /** Reel/clip ids whose first finished attempt ends in ERROR (the next GET starts a new attempt). */
  generationErrorOnce: z.array(uuid).default([]),
  /** Reel/clip ids that stay GENERATING for ever. */
  neverGenerated: z.array(uuid).default([]),
  /** Reel/clip ids whose every attempt ends in ERROR. */
  alwaysError: z.array(uuid).default([]),
  /** Media keys whose first issued link answers 403 "Request has expired" (for good) on first use. */
  linkExpiredOnFirstUse: z.array(mediaKey).default([]),
  /** The first N token requests answer 503 (the auth server down for a while). */
  tokenEndpointFailures: z.number().int().min(0).default(0),
  /** Media keys whose signed link answers 307 to the same object under another path (as S3 and CDNs do). */
  redirectMedia: z.array(mediaKey).default([]),
  /** Media keys whose every GET answers 200 with an HTML error page (a CDN or proxy page), not the media. */
  htmlInsteadOfMedia: z.array(mediaKey).default([]),
  /** Media keys whose first GET sends full headers, about half the body, then drops the connection. */
  cutBodyOnce: z.array(mediaKey).default([]),
  /**
   * Answers that do not keep the API's promises, for the first `count` successful calls of an
   * operation: an HTML page or an empty body instead of JSON, a required field missing or of the
   * wrong type, or (harmless) extra fields.
   */
  malformedAnswers: z
    .array(
      z.object({
        operation: z.enum(['listSessions', 'listReels', 'reelDetail', 'listClips', 'clipDetail', 'videoDownloadUrl', 'sessionDetails', 'qxScores']),
        kind: z.enum(['html', 'empty', 'missingField', 'wrongType', 'extraFields']),
        count: z.number().int().min(1).default(1),
      }),
    )
    .default([]),
  /** A session-list request at this offset or beyond answers the first page again (meta offset 0): a list that never advances. */
  pagingRestartsAtOffset: z.number().int().min(1).optional(),
  /** Throttle media bodies (all objects, or only `keys`), e.g. to kill a worker mid-download. */
  slowMedia: z.object({ bytesPerSecond: z.number().positive(), keys: z.array(mediaKey).optional() }).optional(),
});

const baseSchema = z.object({
  seed: z.number().int().default(1),
  clients: z.array(z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) })).default([{ ...DEMO_CLIENT }]),
  /** Extra bearer tokens accepted as-is (they never expire); they spend the first client's budget. */
  staticTokens: z.array(z.string().min(1)).default([]),
  tokenTtlSeconds: z.number().int().min(1).default(3600),
  rateLimit: z.object({ limit: z.number().int().min(1).default(10), windowMs: z.number().int().min(1).default(60_000) }).prefault({}),
  /** Server-side maximum page size of the session list. */
  pageCap: z.number().int().min(1).default(500),
  generation: z.object({ generatingMs: z.number().int().min(0).default(2000) }).prefault({}),
  linkTtlMs: z
    .object({
      reelAndClip: z.number().int().min(1).default(900_000),
      video: z.number().int().min(1).default(3_600_000),
    })
    .prefault({}),
  /** Absent: one demo test generated from the seed. */
  tests: z.array(testInput).optional(),
  /** Session and reel ids the API no longer has (withdrawn): left out of their lists, 404 on their endpoints. */
  withdrawn: z.array(uuid).default([]),
  faults: faultsSchema.prefault({}),
});

type ParsedScenario = z.output<typeof baseSchema>;
type ParsedTest = z.output<typeof testInput>;

export interface ClipSpec {
  uuid: string;
  name: string;
  description: string;
  timeStartMs: number;
  timeEndMs: number;
  hasAudio: boolean;
  hasCamera: boolean;
  bytes: number;
}
export interface SessionSpec {
  sessionId: string;
  productType: ProductType;
  status: 'COMPLETE';
  startTime: string;
  finishTime: string | null;
  audienceId: string | null;
  videoUuid: string;
  videoBytes: number;
  clips: ClipSpec[];
}
export interface ReelSpec {
  uuid: string;
  name: string;
  durationMs: number;
  lastUpdatedAtMs: number;
  numClips: number;
  areAllClipsInReel: boolean;
  bytes: number;
}
export interface TestSpec {
  testId: string;
  sessions: SessionSpec[];
  reels: ReelSpec[];
}
export type ScenarioFaults = z.output<typeof faultsSchema>;
export interface Scenario extends Omit<ParsedScenario, 'tests' | 'faults'> {
  tests: TestSpec[];
  faults: ScenarioFaults;
}

function resolveTest(seed: number, test: ParsedTest | GeneratedTest, t: number): TestSpec {
  const testId = test.testId ?? seededUuid(seed, 'test', t);
  const rng = new Rng(seed, 'resolve', testId);
  const sessions = (test.sessions ?? []).map((s, i): SessionSpec => {
    const sessionId = s.sessionId ?? seededUuid(seed, testId, 'session', i);
    const startMs = s.startTime ? Date.parse(s.startTime) : SCENARIO_EPOCH_MS - (i + 1) * 3_600_000;
    const lengthMs = rng.int(4, 30) * 60_000 + rng.int(0, 59_999);
    const finishTime = s.finishTime === undefined ? new Date(startMs + lengthMs).toISOString() : s.finishTime;
    const clips = (s.clips ?? []).map((c, j): ClipSpec => {
      const timeStartMs = c.timeStartMs ?? rng.int(1_000, Math.max(1_000, lengthMs - 60_000));
      return {
        uuid: c.uuid ?? seededUuid(seed, sessionId, 'clip', j),
        name: c.name ?? `Clip #${j + 1}`,
        description: c.description ?? '',
        timeStartMs,
        timeEndMs: c.timeEndMs ?? timeStartMs + rng.int(5_000, 60_000),
        hasAudio: c.hasAudio ?? true,
        hasCamera: c.hasCamera ?? false,
        bytes: c.bytes ?? 256 * KiB,
      };
    });
    return {
      sessionId,
      productType: s.productType ?? 'THINK_OUT_LOUD',
      status: 'COMPLETE',
      startTime: new Date(startMs).toISOString(),
      finishTime,
      audienceId: s.audienceId === undefined ? seededUuid(seed, testId, 'audience') : s.audienceId,
      videoUuid: s.videoUuid ?? seededUuid(seed, sessionId, 'video'),
      videoBytes: s.videoBytes ?? 1024 * KiB,
      clips,
    };
  });
  const clipCount = sessions.reduce((n, s) => n + s.clips.length, 0);
  const reels = (test.reels ?? []).map((r, k): ReelSpec => ({
    uuid: r.uuid ?? seededUuid(seed, testId, 'reel', k),
    name: r.name ?? `Highlight reel #${k + 1}`,
    durationMs: r.durationMs ?? rng.int(30, 600) * 1000,
    lastUpdatedAtMs: r.lastUpdatedAtMs ?? SCENARIO_EPOCH_MS + (k + 1) * 60_000,
    numClips: r.numClips ?? Math.max(1, Math.min(clipCount, rng.int(2, 8))),
    areAllClipsInReel: r.areAllClipsInReel ?? false,
    bytes: r.bytes ?? 512 * KiB,
  }));
  return { testId, sessions, reels };
}

function resolveScenario(parsed: ParsedScenario, ctx: z.RefinementCtx<ParsedScenario>): Scenario {
  const source: Array<ParsedTest | GeneratedTest> = parsed.tests ?? demoTests(parsed.seed);
  source.forEach((test, t) =>
    test.sessions.forEach((s, i) => {
      if (s.productType === 'SURVEY' && s.clips.length > 0) {
        ctx.addIssue({ code: 'custom', message: 'a SURVEY session has no video, so no clips', path: ['tests', t, 'sessions', i, 'clips'], input: s.clips });
      }
    }),
  );
  const tests = source.map((t, i) => resolveTest(parsed.seed, t, i));
  const seen = new Set<string>();
  const claim = (id: string, what: string) => {
    const key = id.toLowerCase();
    if (seen.has(key)) ctx.addIssue({ code: 'custom', message: `duplicate id ${id} (${what})`, input: id });
    seen.add(key);
  };
  for (const test of tests) {
    claim(test.testId, 'testId');
    for (const s of test.sessions) {
      claim(s.sessionId, 'sessionId');
      for (const c of s.clips) claim(c.uuid, 'clip uuid');
    }
    for (const r of test.reels) claim(r.uuid, 'reel uuid');
  }
  return { ...parsed, tests };
}

/** Parses (and resolves) a scenario; `z.input` of it is `ScenarioInput`, `z.output` is `Scenario`. */
export const scenarioSchema = baseSchema.transform(resolveScenario);
export type ScenarioInput = z.input<typeof scenarioSchema>;

/** Parses a scenario, throwing a readable error naming the offending fields. */
export function parseScenario(input: ScenarioInput | undefined): Scenario {
  const result = scenarioSchema.safeParse(input ?? {});
  if (!result.success) throw new Error(`invalid simulator scenario: ${z.prettifyError(result.error)}`);
  return result.data;
}
