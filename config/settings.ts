import { z } from 'zod';
import { DEFAULT_RUN_OPTIONS } from '../contract/inputs';
import { DEFAULT_TASK_QUEUE } from '../contract/task-queues';
import { MEDIA_RETRY_DEFAULTS, type MediaRetryOptions } from '../usertesting/link-retry';

/** The documented OAuth token endpoint of UserTesting (docs/configuration.md, `UT_TOKEN_URL`). */
export const DEFAULT_TOKEN_URL = 'https://auth.usertesting.com/oauth2/aus1p3vtd8vtm4Bxv0h8/v1/token';
export const DEFAULT_API_BASE_URL = 'https://api.use2.usertesting.com';
/** Without a terminal, `ingest` prints a progress line per test at most this often (`UT_PROGRESS_INTERVAL_MS`). */
export const DEFAULT_PROGRESS_INTERVAL_MS = 5000;

/** Thrown for bad configuration or input found before any API call; the CLI exits 2 on it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const positiveInt = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be greater than 0`)
    .default(fallback);

const url = (name: string, fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((v) => /^https?:\/\/[^\s]+$/.test(v), `${name} must be an http(s) URL`);

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const optionalPort = (name: string) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: `${name} must be a number` })
      .int(`${name} must be a whole number`)
      .min(1, `${name} must be a TCP port (1-65535)`)
      .max(65535, `${name} must be a TCP port (1-65535)`)
      .optional(),
  );

/** Every environment variable of docs/configuration.md, parsed once into a fully defaulted object. */
const settingsSchema = z.object({
  UT_API_BASE_URL: url('UT_API_BASE_URL', DEFAULT_API_BASE_URL),
  UT_TOKEN_URL: url('UT_TOKEN_URL', DEFAULT_TOKEN_URL),
  UT_CLIENT_ID: z.preprocess(emptyToUndefined, z.string().optional()),
  UT_CLIENT_SECRET: z.preprocess(emptyToUndefined, z.string().optional()),
  UT_ACCESS_TOKEN: z.preprocess(emptyToUndefined, z.string().optional()),
  UT_RATE_LIMIT_PER_MINUTE: positiveInt('UT_RATE_LIMIT_PER_MINUTE', 10),
  UT_MAX_CONCURRENT_DOWNLOADS: positiveInt('UT_MAX_CONCURRENT_DOWNLOADS', 4),
  UT_API_WORKERS: positiveInt('UT_API_WORKERS', 1),
  UT_API_PACING: z.preprocess(emptyToUndefined, z.enum(['auto', 'server', 'worker']).default('auto')),
  UT_POLL_INITIAL_DELAY_MS: positiveInt('UT_POLL_INITIAL_DELAY_MS', DEFAULT_RUN_OPTIONS.pollInitialDelayMs),
  UT_POLL_MAX_DELAY_MS: positiveInt('UT_POLL_MAX_DELAY_MS', DEFAULT_RUN_OPTIONS.pollMaxDelayMs),
  UT_GENERATION_DEADLINE_MS: positiveInt('UT_GENERATION_DEADLINE_MS', DEFAULT_RUN_OPTIONS.generationDeadlineMs),
  UT_RETRY_INITIAL_INTERVAL_MS: positiveInt('UT_RETRY_INITIAL_INTERVAL_MS', DEFAULT_RUN_OPTIONS.retryInitialIntervalMs),
  UT_HEARTBEAT_TIMEOUT_MS: positiveInt('UT_HEARTBEAT_TIMEOUT_MS', DEFAULT_RUN_OPTIONS.heartbeatTimeoutMs),
  UT_SESSIONS_PER_RUN: positiveInt('UT_SESSIONS_PER_RUN', DEFAULT_RUN_OPTIONS.sessionsPerRun),
  UT_ABSENT_RECHECK_MS: positiveInt('UT_ABSENT_RECHECK_MS', DEFAULT_RUN_OPTIONS.absentRecheckMs),
  UT_STALL_TIMEOUT_MS: positiveInt('UT_STALL_TIMEOUT_MS', 600_000),
  UT_MEDIA_UNREACHABLE_MS: positiveInt('UT_MEDIA_UNREACHABLE_MS', MEDIA_RETRY_DEFAULTS.unreachableLimitMs),
  UT_MEDIA_RETRY_INITIAL_DELAY_MS: positiveInt('UT_MEDIA_RETRY_INITIAL_DELAY_MS', MEDIA_RETRY_DEFAULTS.initialDelayMs),
  UT_PROGRESS_INTERVAL_MS: positiveInt('UT_PROGRESS_INTERVAL_MS', DEFAULT_PROGRESS_INTERVAL_MS),
  UT_QUERY_TIMEOUT_MS: positiveInt('UT_QUERY_TIMEOUT_MS', 10_000),
  TEMPORAL_ADDRESS: z.preprocess(emptyToUndefined, z.string().optional()),
  TEMPORAL_NAMESPACE: z.preprocess(emptyToUndefined, z.string().default('default')),
  UT_TASK_QUEUE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[\w.-]+$/, 'UT_TASK_QUEUE may hold letters, digits, ".", "_" and "-"')
      .default(DEFAULT_TASK_QUEUE),
  ),
  UT_LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  UT_METRICS_PORT: optionalPort('UT_METRICS_PORT'),
  // Loopback by default: metrics stay on the machine unless the operator opens them (0.0.0.0 in a container).
  UT_METRICS_HOST: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[\w.:-]+$/, 'UT_METRICS_HOST must be a host name or IP address')
      .default('127.0.0.1'),
  ),
});

export type Credentials = { kind: 'client-credentials'; clientId: string; clientSecret: string } | { kind: 'static-token'; accessToken: string };

export interface Settings {
  apiBaseUrl: string;
  tokenUrl: string;
  /** Undefined when none are configured; workers refuse to start, `ingest` exits 2. */
  credentials?: Credentials;
  ratePerMinute: number;
  /** Worker processes polling the API queue, each pacing itself at its share where the queue has several partitions. */
  apiWorkers: number;
  /** How the API queue is paced: by its partitions (auto), by the server's limit, or by each worker. */
  apiPacing: 'auto' | 'server' | 'worker';
  maxConcurrentDownloads: number;
  pollInitialDelayMs: number;
  pollMaxDelayMs: number;
  generationDeadlineMs: number;
  retryInitialIntervalMs: number;
  /** A transfer silent for this long is retried elsewhere (a crashed worker is noticed this fast). */
  heartbeatTimeoutMs: number;
  /** Sessions one run of the parent workflow handles before it continues as new. */
  sessionsPerRun: number;
  /** A 404 learned earlier is asked again only after this long. */
  absentRecheckMs: number;
  /** `ingest` gives up (exit 1) on a run whose workflow tasks keep failing for this long. */
  stallTimeoutMs: number;
  /** How signed links are retried while their host cannot be reached. */
  mediaRetry: MediaRetryOptions;
  /** Without a terminal, `ingest` prints a progress line per test at most this often. */
  progressIntervalMs: number;
  /** `status` waits this long for a running workflow to answer its progress query (a busy worker answers late, a stuck one never). */
  queryTimeoutMs: number;
  temporalAddress?: string;
  namespace: string;
  taskQueue: string;
  logLevel: string;
  /** Where workers serve Prometheus metrics; undefined (the default) serves none. */
  metrics?: MetricsEndpoint;
}

export interface MetricsEndpoint {
  host: string;
  port: number;
}

/** Reads settings from an environment (flags are merged into it by the CLI beforehand). */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  let credentials: Credentials | undefined;
  if (e.UT_CLIENT_ID && e.UT_CLIENT_SECRET) {
    credentials = { kind: 'client-credentials', clientId: e.UT_CLIENT_ID, clientSecret: e.UT_CLIENT_SECRET };
  } else if (e.UT_ACCESS_TOKEN) {
    credentials = { kind: 'static-token', accessToken: e.UT_ACCESS_TOKEN };
  } else if (e.UT_CLIENT_ID || e.UT_CLIENT_SECRET) {
    throw new ConfigError('UT_CLIENT_ID and UT_CLIENT_SECRET must be set together (or set UT_ACCESS_TOKEN)');
  }
  if (e.UT_POLL_MAX_DELAY_MS < e.UT_POLL_INITIAL_DELAY_MS) {
    throw new ConfigError('UT_POLL_MAX_DELAY_MS must not be smaller than UT_POLL_INITIAL_DELAY_MS');
  }
  return {
    apiBaseUrl: e.UT_API_BASE_URL.replace(/\/+$/, ''),
    tokenUrl: e.UT_TOKEN_URL,
    credentials,
    ratePerMinute: e.UT_RATE_LIMIT_PER_MINUTE,
    maxConcurrentDownloads: e.UT_MAX_CONCURRENT_DOWNLOADS,
    apiWorkers: e.UT_API_WORKERS,
    apiPacing: e.UT_API_PACING,
    pollInitialDelayMs: e.UT_POLL_INITIAL_DELAY_MS,
    pollMaxDelayMs: e.UT_POLL_MAX_DELAY_MS,
    generationDeadlineMs: e.UT_GENERATION_DEADLINE_MS,
    retryInitialIntervalMs: e.UT_RETRY_INITIAL_INTERVAL_MS,
    heartbeatTimeoutMs: e.UT_HEARTBEAT_TIMEOUT_MS,
    sessionsPerRun: e.UT_SESSIONS_PER_RUN,
    absentRecheckMs: e.UT_ABSENT_RECHECK_MS,
    stallTimeoutMs: e.UT_STALL_TIMEOUT_MS,
    mediaRetry: { unreachableLimitMs: e.UT_MEDIA_UNREACHABLE_MS, initialDelayMs: e.UT_MEDIA_RETRY_INITIAL_DELAY_MS },
    progressIntervalMs: e.UT_PROGRESS_INTERVAL_MS,
    queryTimeoutMs: e.UT_QUERY_TIMEOUT_MS,
    temporalAddress: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.UT_TASK_QUEUE,
    logLevel: e.UT_LOG_LEVEL,
    metrics: e.UT_METRICS_PORT === undefined ? undefined : { host: e.UT_METRICS_HOST, port: e.UT_METRICS_PORT },
  };
}

/** Workers cannot call the API without credentials; the message names the variables to set. */
export function requireCredentials(settings: Settings): Credentials {
  if (!settings.credentials) {
    throw new ConfigError('missing API credentials: set UT_CLIENT_ID and UT_CLIENT_SECRET (or UT_ACCESS_TOKEN)');
  }
  return settings.credentials;
}
