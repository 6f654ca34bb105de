/**
 * Workflow tests on @temporalio/testing's time-skipping server, with stubbed activities: no dev
 * server, no storage emulator, no simulator. Timers (activity retry backoff, generation polls) take
 * no real time. The server binary comes from `node scripts/install-tools.js --test-server-only`
 * (`npm run test:fast` runs it); without it the SDK tries its own download, which needs internet.
 *
 * A limit of that server: an `ingestTestResult` that continues as new while its reels child runs
 * (and signals it) leaves time skipping locked for good: from then on that server's timers take real
 * time. A test that does that gets a server (a harness) of its own.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundlePath } from '@temporalio/worker';
import type { ApiActivities, StorageActivities } from '../../activities';
import { countingApiRequests } from '../../activities/request-count';
import { locateTool } from '../../scripts/tools';
import type { ingestTestResult } from '../../workflows';
import type { AssetOutcome, GenerationCheck, IngestSummary } from '../../contract/asset-types';
import type { IngestTestResultInput, SessionSummary } from '../../contract/inputs';
import { SEARCH_ATTRIBUTES } from '../../contract/search-attributes';
import { apiTaskQueue } from '../../contract/task-queues';
import { requestSent } from '../../usertesting/request-tally';

/**
 * Warnings the test server and these stub workers always cause, and the worker's line for each
 * failing attempt (the stubs fail on purpose; the tests check what the workflows made of it).
 */
const EXPECTED_WARNINGS = [
  /did not advertise the activity_failure_include_heartbeat capability/,
  /No workflows registered, not polling for workflow tasks/,
  /^Activity failed$/,
];

/** Warnings and errors only (the SDK logs every worker start and shutdown), core's included, less the expected ones. */
function quietRuntime(): void {
  try {
    const print = new DefaultLogger('WARN');
    const logger = new DefaultLogger('WARN', (entry) => {
      if (!EXPECTED_WARNINGS.some((w) => w.test(entry.message))) print.log(entry.level, entry.message, entry.meta);
    });
    Runtime.install({ logger, telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } } });
  } catch {
    // Installed already, by an earlier harness of this test file (jest loads the SDK afresh for each file).
  }
}

/** The test server, with the search attributes the workflows set registered (as our dev servers do). */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const found = locateTool('temporal-test-server');
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createTimeSkipping(found ? { server: { executable: { type: 'existing-path', path: found.path } } } : undefined);
  } catch (err) {
    if (found) throw err;
    throw new Error(
      `the time-skipping test server is not installed and the SDK could not download it: ` +
        `run \`node scripts/install-tools.js --test-server-only\` (${(err as Error).message})`,
      { cause: err },
    );
  }
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((key) => [key.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  return env;
}

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };

const ROOT = path.resolve(__dirname, '../..');

/**
 * The workflows bundled (a few seconds of webpack) once for all test files and runs, kept in the
 * temp folder under a hash of what goes into the bundle: every file of workflows/ (they import
 * nothing else but types) and the locked dependency versions.
 */
async function bundleOnce(): Promise<WorkflowBundlePath> {
  const hash = createHash('sha256');
  const dir = path.join(ROOT, 'workflows');
  for (const name of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const file = path.join(dir, name);
    if (fs.statSync(file).isFile()) hash.update(name).update(fs.readFileSync(file));
  }
  hash.update(fs.readFileSync(path.join(ROOT, 'package-lock.json')));
  const cached = path.join(os.tmpdir(), 'ut-media-workflow-bundles', `${hash.digest('hex').slice(0, 32)}.js`);
  if (!fs.existsSync(cached)) {
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quiet });
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    // Two test files may bundle at once: each writes its own file and renames it into place.
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, cached);
  }
  return { codePath: cached };
}

let bundle: Promise<WorkflowBundlePath> | undefined;
export function workflowBundle(): Promise<WorkflowBundlePath> {
  bundle ??= bundleOnce();
  return bundle;
}

/** The API activities as the worker runs them, before `countingApiRequests` adds `apiRequests`. */
export type ApiStubs = { [K in keyof ApiActivities]: (...args: Parameters<ApiActivities[K]>) => Promise<Awaited<ReturnType<ApiActivities[K]>>> };
export type StorageStubs = {
  [K in keyof StorageActivities]: (...args: Parameters<StorageActivities[K]>) => Promise<Awaited<ReturnType<StorageActivities[K]>>>;
};

/** One API activity call as the stubs saw it (an attempt: a retried activity is called again). */
export interface ApiCall {
  activity: keyof ApiActivities;
  input: Record<string, unknown>;
}

/** Canonical UUIDs from small numbers, as the workflows require for every id. */
export const uuid = (n: number, group = 0) => `${group.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export const stored = (kind: AssetOutcome['kind'], ids: Partial<AssetOutcome> & { testId: string }): AssetOutcome => ({
  kind,
  status: 'stored',
  downloaded: true,
  bytes: 10,
  ...ids,
});

/**
 * Stubs that answer like a healthy API and an empty destination: every asset is stored at once.
 * Each call of an API stub is one request put on the wire (`requestSent`), so the real
 * `countingApiRequests` wrapper the worker uses reports it in `apiRequests`.
 */
export function healthyStubs(): { api: ApiStubs; storage: StorageStubs } {
  const api: ApiStubs = {
    listSessionsPage: async ({ offset, limit }) => ({ sessions: [], limit, offset, totalCount: 0 }),
    listReels: async () => ({ found: true, reels: [] }),
    listClips: async () => ({ found: true, clips: [] }),
    fetchVideo: async ({ testId, sessionId }) => stored('video', { testId, sessionId }),
    fetchTranscript: async ({ testId, sessionId }) => stored('transcript', { testId, sessionId }),
    fetchSessionDetails: async ({ testId, sessionId }) => stored('details', { testId, sessionId }),
    fetchQxScore: async ({ testId }) => stored('qxscore', { testId }),
    fetchReel: async ({ testId, reel }): Promise<GenerationCheck> => ({ state: 'done', outcome: stored('reel', { testId, reelId: reel.uuid }) }),
    fetchClip: async ({ testId, sessionId, clip }): Promise<GenerationCheck> => ({
      state: 'done',
      outcome: stored('clip', { testId, sessionId, clipId: clip.uuid }),
    }),
  };
  const storage: StorageStubs = {
    findStoredAssets: async () => ({ stored: {}, knownAbsent: [], recorded: [] }),
    findStoredQxScore: async () => ({ stored: false, knownAbsent: false, recorded: false }),
    recordOutcomes: async () => undefined,
    assembleManifest: async ({ testId }) => ({ manifestUri: `mem://${testId}/manifest.json`, assets: 0 }),
    recordListedPage: async () => undefined,
    reviewWithdrawals: async () => ({}),
    pruneWithdrawn: async () => ({ pruned: 0, objects: 0, bytes: 0, remaining: 0 }),
    discardListings: async () => undefined,
    findArchived: async () => ({ members: [], more: false }),
  };
  return { api, storage };
}

/**
 * The two workers of a deployment (workflows and storage activities on `taskQueue`, API activities
 * on `<taskQueue>-api`) on the time-skipping server, once per test file. Each test replaces the
 * stubs it needs (`h.stubs.api.fetchVideo = ...`; `reset()` after each test); the workers call
 * whatever is set at the time, and log every API call and every record the workflows write.
 */
export class WorkflowHarness {
  stubs = healthyStubs();
  /** API activities report the requests they sent (`countingApiRequests`), as ut-media's workers do. */
  countRequests = true;
  readonly apiCalls: ApiCall[] = [];
  readonly recorded: AssetOutcome[] = [];
  private workers: Worker[] = [];
  private started = 0;
  private requests = 0;
  private extraRequests = 0;
  private running?: Promise<unknown>;
  private constructor(
    readonly env: TestWorkflowEnvironment,
    readonly taskQueue: string,
  ) {}

  static async start(taskQueue = 'ut-media-test'): Promise<WorkflowHarness> {
    const [env, workflows] = await Promise.all([startTimeSkippingServer(), workflowBundle()]);
    const h = new WorkflowHarness(env, taskQueue);
    const raw = Object.fromEntries(
      (Object.keys(h.stubs.api) as Array<keyof ApiStubs>).map((name) => [
        name,
        async (input: Record<string, unknown>) => {
          h.apiCalls.push({ activity: name, input });
          h.requests += 1;
          requestSent();
          return (h.stubs.api[name] as (i: unknown) => Promise<object>)(input);
        },
      ]),
    );
    const counting = countingApiRequests(raw);
    // A worker from before the request count reports none: `countRequests = false` plays one.
    const api = Object.fromEntries(Object.keys(raw).map((name) => [name, (input: Record<string, unknown>) => (h.countRequests ? counting : raw)[name](input)]));
    const storage = Object.fromEntries(
      (Object.keys(h.stubs.storage) as Array<keyof StorageStubs>).map((name) => [
        name,
        async (input: { write?: AssetOutcome[] }) => {
          if (name === 'recordOutcomes') h.recorded.push(...(input.write ?? []));
          return (h.stubs.storage[name] as (i: unknown) => Promise<unknown>)(input);
        },
      ]),
    );
    const connection = env.nativeConnection;
    h.workers = await Promise.all([
      Worker.create({ connection, taskQueue, workflowBundle: workflows, activities: storage }),
      Worker.create({ connection, taskQueue: apiTaskQueue(taskQueue), activities: api }),
    ]);
    h.running = Promise.all(h.workers.map((w) => w.run()));
    return h;
  }

  /** Runs `ingestTestResult` to its end under a fresh workflow id. */
  ingest(input: IngestTestResultInput): Promise<IngestSummary> {
    return this.client.workflow.execute<typeof ingestTestResult>('ingestTestResult', {
      taskQueue: this.taskQueue,
      workflowId: this.nextWorkflowId('ingest'),
      args: [input],
    });
  }

  /** A workflow id no other test of this file uses. */
  nextWorkflowId(prefix: string): string {
    return `${prefix}-${++this.started}`;
  }

  /** Requests the API stubs put on the wire: one a call, and whatever more a stub sends with `sendRequests()`. */
  get requestsSent(): number {
    return this.requests + this.extraRequests;
  }

  /** For a stub that sends more than one request in an attempt (e.g. a token refresh, then the request). */
  sendRequests(n: number): void {
    this.extraRequests += n;
    for (let i = 0; i < n; i++) requestSent();
  }

  /** Back to healthy stubs, counting workers and empty logs, for the next test. */
  reset(): void {
    this.stubs = healthyStubs();
    this.countRequests = true;
    this.apiCalls.length = 0;
    this.recorded.length = 0;
    this.requests = 0;
    this.extraRequests = 0;
  }

  /** API calls of one activity, in the order they came. */
  calls(activity: keyof ApiActivities): Array<Record<string, unknown>> {
    return this.apiCalls.filter((c) => c.activity === activity).map((c) => c.input);
  }

  get client() {
    return this.env.client;
  }

  async close(): Promise<void> {
    for (const w of this.workers) if (w.getState() === 'RUNNING') w.shutdown();
    await this.running?.catch(() => undefined);
    await this.env.teardown();
  }
}

/** `n` sessions of test group `group`, as the session list gives them. */
export const sessionsOf = (n: number, group = 1): SessionSummary[] =>
  Array.from({ length: n }, (_, i) => ({ sessionId: uuid(i + 1, group), status: 'COMPLETED' }));

/** `listSessionsPage` over a fixed list, pages as asked (or at most `serverLimit`, as a server may cut them). */
export const pagedList =
  (all: SessionSummary[], serverLimit = Infinity): ApiStubs['listSessionsPage'] =>
  async ({ offset, limit }) => {
    const applied = Math.min(limit, serverLimit);
    return { sessions: all.slice(offset, offset + applied), limit: applied, offset, totalCount: all.length };
  };
