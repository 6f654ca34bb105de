import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { runOptionsFromSettings } from '../config/run-options';
import { loadSettings, requireCredentials, type Settings } from '../config/settings';
import { redactSecrets } from '../usertesting/redact';
import type { IngestSummary } from '../workflows/asset-types';
import { failureReason, failureType } from '../workflows/failure-reason';
import type { IngestTestResultInput } from '../workflows/inputs';
import { progressQuery } from '../workflows/progress';
import { TEST_ID_SEARCH_ATTRIBUTE } from '../workflows/search-attributes';
import { testWorkflowId } from '../workflows/task-queues';
import { startEmbeddedCluster, type EmbeddedCluster } from './embedded-cluster';
import { EXIT } from './exit-codes';
import { createProgressDisplay } from './progress-display';
import { ensureSearchAttributes } from './search-attributes-check';
import { checkRunHealth, describeProblem } from './run-health';
import { asUsageError, validateIngest, type IngestFlags, type IngestRequest } from './validate-ingest';

/**
 * Run failures that are bad input or configuration (exit 2). A destination that cannot be used (a
 * bucket that does not exist, credentials refused) fails the run at its first step, before any API request.
 */
const CONFIGURATION_FAILURES = new Set(['InvalidInput', 'InvalidDestination', 'InvalidCredentials', 'DestinationUnavailable']);

export interface IngestOptions extends IngestFlags {
  json?: boolean;
  progress?: boolean;
}

/** How one test's run ended, as `ingest` reports it (a row of the summary). */
export type TestOutcome = { testId: string; code: number; summary?: IngestSummary; error?: string };

/** How often `ingest` looks for a run that cannot make progress (per five tests). */
const HEALTH_CHECK_MS = 5000;
/** With several tests, a progress line per test at most this often. */
const PER_TEST_PROGRESS_MS = 5000;

/**
 * `ut-media ingest`: validate, start (or attach to) one `ingestTestResult` per test, follow their
 * progress, print a summary with a row per test; exit code = the worst test's (0/1/2).
 */
export async function runIngest(flags: IngestOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const request = validateIngest(flags);
  let settings: Settings;
  try {
    settings = loadSettings(env);
    // Embedded runs do the work here, so credentials must be present before anything starts.
    if (!settings.temporalAddress) requireCredentials(settings);
  } catch (err) {
    asUsageError(err);
  }

  let cluster: EmbeddedCluster | undefined;
  let connection: Connection | undefined;
  try {
    if (!settings.temporalAddress) {
      process.stderr.write('Starting the embedded Temporal dev server and worker (state in ./.ut-media/) ...\n');
      cluster = await startEmbeddedCluster(settings);
    }
    connection = await Connection.connect({ address: settings.temporalAddress ?? cluster!.address });
    await ensureSearchAttributes(connection, settings.namespace, (line) => process.stderr.write(`${line}\n`));
    const client = new Client({ connection, namespace: settings.namespace });
    const handles = [];
    for (const testId of request.testIds) handles.push(await startIngestion(client, settings, request, testId));
    const outcomes = await follow(client, handles, request, settings, flags);
    printSummary(outcomes, Boolean(flags.json));
    return Math.max(...outcomes.map((o) => o.code));
  } finally {
    await connection?.close();
    await cluster?.stop();
  }
}

async function startIngestion(client: Client, settings: Settings, request: IngestRequest, testId: string): Promise<WorkflowHandle> {
  const input: IngestTestResultInput = { testId, dest: request.dest, only: request.only, sessionIds: request.sessionIds, options: runOptionsFromSettings(settings) };
  const handle = await client.workflow.start('ingestTestResult', {
    taskQueue: settings.taskQueue,
    workflowId: testWorkflowId(testId),
    args: [input],
    // A second `ingest` of the same test attaches to the running one instead of starting twice.
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    // One fairness key per test: tests in one run share the API queue's dispatch.
    priority: { fairnessKey: testId },
    typedSearchAttributes: [{ key: TEST_ID_SEARCH_ATTRIBUTE, value: testId }],
  });
  process.stderr.write(`Workflow ${handle.workflowId} (run ${handle.firstExecutionRunId}) ingesting into ${request.dest}\n`);
  return handle;
}

/** Waits for every run, showing progress and problems; a run stuck past UT_STALL_TIMEOUT_MS ends with exit 1. */
async function follow(client: Client, handles: WorkflowHandle[], request: IngestRequest, settings: Settings, flags: IngestOptions): Promise<TestOutcome[]> {
  const several = handles.length > 1;
  const display = flags.progress === false ? undefined : several ? createProgressDisplay(process.stderr, PER_TEST_PROGRESS_MS, true) : createProgressDisplay();
  // One query per test at a time; with several tests only as often as their lines are printed.
  const asking = new Set<WorkflowHandle>();
  const progressTimer = display
    ? setInterval(() => {
        for (const h of handles) {
          if (asking.has(h)) continue;
          asking.add(h);
          h.query(progressQuery).then((s) => display.update(s), () => undefined).finally(() => asking.delete(h));
        }
      }, several ? PER_TEST_PROGRESS_MS : 1000)
    : undefined;
  // Health checks describe each run and its children: spread them out when there are many tests.
  const healthEveryMs = Math.min(settings.stallTimeoutMs, HEALTH_CHECK_MS * Math.max(1, Math.ceil(handles.length / 5)));
  try {
    return await Promise.all(handles.map((h, i) => followOne(client, h, request.testIds[i], request.dest, settings, healthEveryMs)));
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    display?.stop();
  }
}

async function followOne(client: Client, handle: WorkflowHandle, testId: string, dest: string, settings: Settings, everyMs: number): Promise<TestOutcome> {
  let stuckSince: number | undefined;
  const shown = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<TestOutcome>((resolve) => {
    timer = setInterval(() => {
      checkRunHealth(client, handle, dest).then((problems) => {
        for (const p of problems) {
          const line = redactSecrets(describeProblem(p));
          if (!shown.has(line)) process.stderr.write(`ut-media: ${line}\n`);
          shown.add(line);
        }
        const stuck = problems.find((p) => p.kind === 'workflow-task');
        if (!stuck) {
          stuckSince = undefined;
          return;
        }
        stuckSince ??= Date.now();
        if (Date.now() - stuckSince >= settings.stallTimeoutMs) {
          const error = `gave up after ${Math.round(settings.stallTimeoutMs / 1000)} s without progress: ${describeProblem(stuck)}. The workflow is still open: fix the cause and run ingest again (it attaches), or terminate it`;
          resolve({ testId, code: EXIT.failed, error: redactSecrets(error) });
        }
      }, () => undefined);
    }, everyMs);
  });
  try {
    return await Promise.race([result(handle, testId, dest), stalled]);
  } finally {
    clearInterval(timer);
  }
}

async function result(handle: WorkflowHandle, testId: string, dest: string): Promise<TestOutcome> {
  try {
    const summary = (await handle.result()) as IngestSummary;
    if (summary.dest !== dest) {
      // USE_EXISTING attached us to a run that was started with another destination.
      const error = `attached to a running ingestion of this test into ${summary.dest}, not ${dest}; run again to ingest into ${dest}`;
      return { testId, code: EXIT.failed, summary, error };
    }
    return { testId, code: summary.failed ? EXIT.failed : EXIT.ok, summary };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const type = failureType(err.cause);
    const code = type !== undefined && CONFIGURATION_FAILURES.has(type) ? EXIT.usage : EXIT.failed;
    return { testId, code, error: `ingestion failed: ${redactSecrets(failureReason(err.cause))}` };
  }
}

function printSummary(outcomes: TestOutcome[], json: boolean): void {
  const ok = outcomes.every((o) => o.code === EXIT.ok);
  if (json) {
    const rows = outcomes.map((o) => ({ ok: o.code === EXIT.ok, exitCode: o.code, testId: o.testId, ...(o.summary ?? {}), ...(o.error ? { error: o.error } : {}) }));
    // One test: its row is the object (as before several tests were possible).
    process.stdout.write(`${JSON.stringify(rows.length === 1 ? rows[0] : { ok, tests: rows })}\n`);
    return;
  }
  const lines: string[] = [];
  for (const o of outcomes) {
    if (o.error) process.stderr.write(`ut-media: test ${o.testId}: ${o.error}\n`);
    const s = o.summary;
    if (!s) {
      lines.push(`Test ${o.testId}: FAILED (${o.error})`);
      continue;
    }
    lines.push(`Test ${s.testId}: ${s.sessions} sessions, ${s.downloaded} files downloaded (${(s.bytesDownloaded / 1048576).toFixed(1)} MiB)`);
    for (const [kind, c] of Object.entries(s.counts)) lines.push(`  ${`${kind}s`.padEnd(12)} stored ${c.stored}, skipped ${c.skipped}, failed ${c.failed}`);
    for (const f of s.failures) lines.push(`  FAILED ${f.kind} ${f.id}: ${f.reason}`);
    if (s.failed > s.failures.length) lines.push(`  ... and ${s.failed - s.failures.length} more failures: see the manifest`);
    lines.push(`  Manifest: ${s.manifestPath}`);
  }
  if (outcomes.length > 1) {
    lines.push('', 'test                                  exit  sessions  stored  skipped  failed');
    for (const o of outcomes) {
      const total = (status: 'stored' | 'skipped' | 'failed') => (o.summary ? Object.values(o.summary.counts).reduce((n, c) => n + c[status], 0) : 0);
      lines.push(`${o.testId}  ${String(o.code).padStart(4)}  ${String(o.summary?.sessions ?? '-').padStart(8)}  ${String(total('stored')).padStart(6)}  ${String(total('skipped')).padStart(7)}  ${String(total('failed')).padStart(6)}`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
