import { z } from 'zod';
import type { AssetKind, RunTally } from './asset-types';
import { UUID_PATTERN } from './ids';
import { parsePruneLimit, type PruneLimit } from './withdrawals';

/**
 * Workflow inputs as a person types them into the Temporal UI's Start Workflow form. Parsed with
 * zod inside the workflow, so a bad input fails the run at once with a message naming the field.
 */
export const ASSET_KINDS = ['reels', 'clips', 'videos', 'transcripts', 'details', 'qxscore'] as const;
export type AssetSelection = (typeof ASSET_KINDS)[number];
/** The asset kind each `only` value selects. */
export const KIND_OF_SELECTION: Record<AssetSelection, AssetKind> = {
  reels: 'reel',
  clips: 'clip',
  videos: 'video',
  transcripts: 'transcript',
  details: 'details',
  qxscore: 'qxscore',
};
/** The `only` value that selects each kind (also its plural label). */
export const SELECTION_OF_KIND: Record<AssetKind, AssetSelection> = {
  reel: 'reels',
  clip: 'clips',
  video: 'videos',
  transcript: 'transcripts',
  details: 'details',
  qxscore: 'qxscore',
};

/** Kinds that belong to a session: a run that wants any of them lists the sessions. */
export const SESSION_KINDS: ReadonlySet<AssetKind> = new Set<AssetKind>(['clip', 'video', 'transcript', 'details']);
export const sessionsNeeded = (only: readonly AssetSelection[]) => only.some((selection) => SESSION_KINDS.has(KIND_OF_SELECTION[selection]));

const uuid = (what: string) =>
  z
    .string({ error: `${what} is required and must be a UUID string` })
    .trim()
    .regex(UUID_PATTERN, `${what} must be a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6`)
    .transform((v) => v.toLowerCase());

const destination = z
  .string({ error: 'dest is required: gs://bucket[/prefix], s3://bucket[/prefix], az://container[/prefix], file:///absolute/path or a path' })
  .trim()
  .min(1, 'dest must not be empty');

/** `only` accepts ["reels","clips"] or "reels,clips"; absent or empty means everything. */
const onlySchema = z
  .union([z.array(z.string()), z.string()])
  .optional()
  .transform((v, ctx) => {
    const items = (typeof v === 'string' ? v.split(',') : (v ?? [])).map((s) => s.trim().toLowerCase()).filter(Boolean);
    for (const item of items) {
      if (!(ASSET_KINDS as readonly string[]).includes(item)) {
        ctx.addIssue({ code: 'custom', message: `only: unknown asset kind "${item}" (use ${ASSET_KINDS.join(', ')})` });
        return z.NEVER;
      }
    }
    return items.length ? (Array.from(new Set(items)) as AssetSelection[]) : [...ASSET_KINDS];
  });

/**
 * Session details and QXscores already stored are not asked for again unless this is true: then each
 * costs one request again and is rewritten only when the API's answer changed.
 */
const refreshDetails = z.boolean({ error: 'refreshDetails must be true or false' }).optional();

/**
 * Archived sessions and reels the API no longer lists (withdrawn) have their objects removed, with a
 * tombstone in the manifest; only after a complete listing, and at most `pruneMax` of them in a run.
 */
const prune = z.boolean({ error: 'prune must be true or false' }).optional();
/** `"25%"` (a share of the archived sessions or reels) or a count (`10`, `"10"`). */
const pruneMax = z
  .union([z.string(), z.number()], { error: 'pruneMax must be a share like "25%" or a count like 10' })
  .optional()
  .transform((value, ctx): PruneLimit => {
    const limit = parsePruneLimit(value ?? DEFAULT_PRUNE_MAX);
    if (limit) return limit;
    ctx.addIssue({ code: 'custom', message: `pruneMax must be a share from 0% to 100% or a whole count, not "${value}"` });
    return z.NEVER;
  });

/** Every run option's default, in one place (the CLI's environment overrides the delays). */
export const DEFAULT_RUN_OPTIONS = {
  /** @default 3000 first wait before re-checking a generating reel/clip */
  pollInitialDelayMs: 3000,
  /** @default 60000 cap of the growing wait */
  pollMaxDelayMs: 60000,
  /** @default 86400000 a reel/clip still generating after this is failed */
  generationDeadlineMs: 86_400_000,
  /** @default 3 new generation attempts after ERROR before the asset is failed */
  maxGenerationAttempts: 3,
  /** @default 2000 first activity retry delay */
  retryInitialIntervalMs: 2000,
  /** @default 50 child session workflows running at once; the API budget is the real limit */
  maxSessionsInFlight: 50,
  /** @default 60000 an activity that sends no heartbeat for this long (its worker died, its transfer stalled) is retried on another worker */
  heartbeatTimeoutMs: 60000,
  /** @default 500 sessions one run of the parent handles before it continues as new (bounds its history) */
  sessionsPerRun: 500,
  /** @default 20 polls of a generating reel/clip inside its workflow before a child takes the wait over */
  inlinePolls: 20,
  /** @default 300 polls one run of that child makes before it continues as new */
  pollsPerRun: 300,
  /** @default 604800000 (7 days) an asset the API answered 404 for is not asked for again until this has passed */
  absentRecheckMs: 7 * 86_400_000,
};
/** With `prune`, the most withdrawn sessions (or reels) one run removes: a share of those archived, or a count; above it nothing is removed. A workflow input field, not one of `options`. */
export const DEFAULT_PRUNE_MAX = '25%';

const option = (fallback: number) => z.number().int().positive().default(fallback);

/** Options of a run, as a workflow input carries them; every field optional. */
export const runOptionsSchema = z
  .object({
    pollInitialDelayMs: option(DEFAULT_RUN_OPTIONS.pollInitialDelayMs),
    pollMaxDelayMs: option(DEFAULT_RUN_OPTIONS.pollMaxDelayMs),
    generationDeadlineMs: option(DEFAULT_RUN_OPTIONS.generationDeadlineMs),
    maxGenerationAttempts: option(DEFAULT_RUN_OPTIONS.maxGenerationAttempts),
    retryInitialIntervalMs: option(DEFAULT_RUN_OPTIONS.retryInitialIntervalMs),
    maxSessionsInFlight: option(DEFAULT_RUN_OPTIONS.maxSessionsInFlight),
    heartbeatTimeoutMs: option(DEFAULT_RUN_OPTIONS.heartbeatTimeoutMs),
    sessionsPerRun: option(DEFAULT_RUN_OPTIONS.sessionsPerRun),
    inlinePolls: option(DEFAULT_RUN_OPTIONS.inlinePolls),
    pollsPerRun: option(DEFAULT_RUN_OPTIONS.pollsPerRun),
    absentRecheckMs: option(DEFAULT_RUN_OPTIONS.absentRecheckMs),
  })
  .strict()
  .default(DEFAULT_RUN_OPTIONS)
  .refine((o) => o.pollMaxDelayMs >= o.pollInitialDelayMs, 'options.pollMaxDelayMs must be >= options.pollInitialDelayMs');
export type RunOptions = z.output<typeof runOptionsSchema>;

export const sessionSummarySchema = z.object({
  sessionId: z.string(),
  audienceId: z.string().nullish(),
  status: z.string().optional(),
  startTime: z.string().optional(),
  finishTime: z.string().nullish(),
});
export type SessionSummary = z.output<typeof sessionSummarySchema>;

/** What `ingestTestResult` carries from one run to the next: counts and a position, nothing per session. */
export interface IngestCursor {
  /** Offset of the next page of the session list. */
  offset: number;
  /** The session list is exhausted (or could not be read further). */
  listed: boolean;
  /** `totalCount` of the list, once a page was read. */
  totalCount?: number;
  sessionsDone: number;
  tally: RunTally;
  /** The reels child reported (or no reels were wanted). */
  reelsDone: boolean;
  /** Runs of this workflow so far (1 in the first). */
  runs: number;
  /** With `sessionIds`: the wanted ids the list has shown so far. */
  foundSessionIds?: string[];
  /** The session list ended in a failure (recorded at the destination). */
  listingFailed?: boolean;
  /** Results API requests of the finished sessions (also inside `tally.apiRequests`). */
  sessionApiRequests?: number;
  /** Where this ingestion keeps what it listed (the first run's id), for finding withdrawn sessions; absent in runs before withdrawals. */
  listingId?: string;
}

/** The fields of an ingestion; `ingestTestResultInputSchema` adds the checks between them. */
export const ingestTestResultFields = z
  .object({
    testId: uuid('testId'),
    dest: destination,
    only: onlySchema,
    refreshDetails,
    prune,
    pruneMax,
    sessionIds: z.array(uuid('sessionIds[]')).optional(),
    options: runOptionsSchema,
    /** Where an earlier run of this workflow stopped: set by continue-as-new, never by hand. */
    cursor: z
      .custom<IngestCursor>(
        (v) => typeof v === 'object' && v !== null && typeof (v as IngestCursor).offset === 'number',
        'cursor is set by the workflow itself; leave it out',
      )
      .optional(),
  })
  .strict();
/** A prune needs the whole session list: with chosen sessions it would silently review nothing, so it is refused. */
export const ingestTestResultInputSchema = ingestTestResultFields.refine((input) => !(input.prune && input.sessionIds), {
  message: 'prune needs the whole session list and cannot go with sessionIds: leave out one of them',
  path: ['prune'],
});
export type IngestTestResultInput = z.input<typeof ingestTestResultInputSchema>;
export type IngestTestResultParams = z.output<typeof ingestTestResultInputSchema>;

/** Tests one `ingestTests` run takes at most: each is a child with its own bounded history. */
export const MAX_TESTS_PER_RUN = 500;

export const ingestTestsInputSchema = z
  .object({
    testIds: z
      .array(uuid('testIds[]'), { error: 'testIds is required: a list of test UUIDs' })
      .min(1, 'testIds must name at least one test')
      .max(MAX_TESTS_PER_RUN, `testIds: at most ${MAX_TESTS_PER_RUN} tests in one run`)
      .transform((ids) => Array.from(new Set(ids))),
    dest: destination,
    only: onlySchema,
    refreshDetails,
    prune,
    pruneMax,
    options: runOptionsSchema,
  })
  .strict();
export type IngestTestsInput = z.input<typeof ingestTestsInputSchema>;

export const ingestSessionInputSchema = z
  .object({
    testId: uuid('testId'),
    sessionId: uuid('sessionId'),
    dest: destination,
    only: onlySchema,
    refreshDetails,
    options: runOptionsSchema,
    /** The summary from the session list, when the parent has it: recorded in metadata and the manifest. */
    session: sessionSummarySchema.optional(),
  })
  .strict();
export type IngestSessionInput = z.input<typeof ingestSessionInputSchema>;
export type IngestSessionParams = z.output<typeof ingestSessionInputSchema>;

/** One line per problem, e.g. `testId: testId must be a UUID like …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
