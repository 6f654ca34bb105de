import { z } from 'zod';
import { UUID_PATTERN } from './ids';

/**
 * Workflow inputs as a person types them into the Temporal UI's Start Workflow form. Parsed with
 * zod inside the workflow, so a bad input fails the run at once with a message naming the field.
 */
export const ASSET_KINDS = ['reels', 'clips', 'videos', 'transcripts'] as const;
export type AssetSelection = (typeof ASSET_KINDS)[number];

const uuid = (what: string) =>
  z
    .string({ error: `${what} is required and must be a UUID string` })
    .trim()
    .regex(UUID_PATTERN, `${what} must be a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6`)
    .transform((v) => v.toLowerCase());

const destination = z
  .string({ error: 'dest is required: gs://bucket[/prefix], file:///absolute/path or a path' })
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

/** Delays normally come from the CLI's environment; the defaults are CONTRACT.md's. */
export const runOptionsSchema = z
  .object({
    pollInitialDelayMs: z.number().int().positive().default(3000),
    pollMaxDelayMs: z.number().int().positive().default(60000),
    generationDeadlineMs: z.number().int().positive().default(86_400_000),
    /** New generation attempts after ERROR before the asset is failed. */
    maxGenerationAttempts: z.number().int().positive().default(3),
    retryInitialIntervalMs: z.number().int().positive().default(2000),
    /** Child session workflows running at once; the API budget is the real limit. */
    maxSessionsInFlight: z.number().int().positive().default(50),
    /** A transfer that sends no heartbeat for this long is retried on another worker. */
    heartbeatTimeoutMs: z.number().int().positive().default(60000),
  })
  .strict()
  .default({
    pollInitialDelayMs: 3000,
    pollMaxDelayMs: 60000,
    generationDeadlineMs: 86_400_000,
    maxGenerationAttempts: 3,
    retryInitialIntervalMs: 2000,
    maxSessionsInFlight: 50,
    heartbeatTimeoutMs: 60000,
  })
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

export const ingestTestResultInputSchema = z
  .object({
    testId: uuid('testId'),
    dest: destination,
    only: onlySchema,
    sessionIds: z.array(uuid('sessionIds[]')).optional(),
    options: runOptionsSchema,
  })
  .strict();
export type IngestTestResultInput = z.input<typeof ingestTestResultInputSchema>;
export type IngestTestResultParams = z.output<typeof ingestTestResultInputSchema>;

export const ingestSessionInputSchema = z
  .object({
    testId: uuid('testId'),
    sessionId: uuid('sessionId'),
    dest: destination,
    only: onlySchema,
    options: runOptionsSchema,
    /** The summary from the session list, when the parent has it: recorded in metadata and the manifest. */
    session: sessionSummarySchema.optional(),
    /** Kinds a previous run found absent for this session (404): not asked for again. */
    knownAbsent: z.array(z.enum(['video', 'transcript'])).optional(),
  })
  .strict();
export type IngestSessionInput = z.input<typeof ingestSessionInputSchema>;
export type IngestSessionParams = z.output<typeof ingestSessionInputSchema>;

/** One line per problem, e.g. `testId: testId must be a UUID like …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
