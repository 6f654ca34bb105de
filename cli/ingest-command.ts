import { Client, WorkflowFailedError, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { runOptionsFromSettings } from '../config/run-options';
import { loadSettings, type Settings } from '../config/settings';
import { redactSecrets } from '../usertesting/redact';
import type { IngestSummary } from '../workflows/asset-types';
import { failureReason, failureType } from '../workflows/failure-reason';
import type { IngestTestResultInput } from '../workflows/inputs';
import { TEST_ID_SEARCH_ATTRIBUTE } from '../workflows/search-attributes';
import { testWorkflowId } from '../workflows/task-queues';
import { ingestionDetails, ingestionSummary } from '../workflows/ui-metadata';
import { CliError, EXIT } from './exit-codes';
import { createProgressDisplay } from './progress-display';
import { printSummary, type TestOutcome } from './summary-output';
import { pollProgress } from './progress-poller';
import { runPlan } from './plan-command';
import { openTemporalSession } from './temporal-session';
import { checkRunHealth, describeProblem } from './run-health';
import { asUsageError, validateIngest, type IngestFlags, type IngestRequest } from './validate-ingest';

export interface IngestOptions extends IngestFlags {
  json?: boolean;
  /** Plan only: what would be fetched and what it would cost (`ut-media plan`). */
  dryRun?: boolean;
  /** Start (or attach), print the workflow ids and return (needs TEMPORAL_ADDRESS). */
  detach?: boolean;
  progress?: boolean;
}


/** What following runs needs: `dest` to check an attached run writes where asked (unknown to `status --wait`). */
export type FollowRequest = Pick<IngestRequest, 'testIds' | 'only'> & { dest?: string };

/** How often `ingest` looks for a run that cannot make progress (per five tests). */
const HEALTH_CHECK_MS = 5000;

/**
 * `ut-media ingest`: validate, start (or attach to) one `ingestTestResult` per test, follow their
 * progress, print a summary with a row per test; exit code = the worst test's (0/1/2).
 */
export async function runIngest(flags: IngestOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (flags.dryRun) return runPlan(flags, env);
  const request = validateIngest(flags);
  let settings: Settings;
  try {
    settings = loadSettings(env);
  } catch (err) {
    asUsageError(err);
  }
  if (flags.detach && !settings.temporalAddress) {
    throw new CliError('--detach needs TEMPORAL_ADDRESS: the embedded server and worker live only as long as this command', EXIT.usage);
  }
  const session = await openTemporalSession(settings, (line) => process.stderr.write(`${line}\n`));
  try {
    const handles = [];
    for (const testId of request.testIds) handles.push(await startIngestion(session.client, settings, request, testId));
    if (flags.detach) {
      printDetached(handles, request.testIds, Boolean(flags.json));
      return EXIT.ok;
    }
    const interrupted = onInterrupt();
    const outcome = await Promise.race([followAndReport(session.client, handles, request, settings, flags), interrupted.promise]);
    interrupted.dispose();
    if (outcome === 'interrupted') {
      process.stderr.write(`\n${interruptedAdvice(session.embedded, request.testIds)}\n`);
      return EXIT.interrupted;
    }
    return outcome;
  } finally {
    await session.close();
  }
}

/** Follows the runs to their end, prints the summary; returns the exit code (the worst test's). Also `status --wait`. */
export async function followAndReport(client: Client, handles: WorkflowHandle[], request: FollowRequest, settings: Settings, flags: IngestOptions): Promise<number> {
  const outcomes = await follow(client, handles, request, settings, flags);
  printSummary(outcomes, Boolean(flags.json));
  return Math.max(...outcomes.map((o) => o.code));
}

function onInterrupt(): { promise: Promise<'interrupted'>; dispose(): void } {
  let handler: (() => void) | undefined;
  const promise = new Promise<'interrupted'>((resolve) => {
    handler = () => resolve('interrupted');
    process.once('SIGINT', handler);
  });
  return { promise, dispose: () => handler && process.off('SIGINT', handler) };
}

function interruptedAdvice(embedded: boolean, testIds: string[]): string {
  const tests = testIds.map((id) => `--test ${id}`).join(' ');
  return embedded
    ? `ut-media: stopped. The embedded worker is gone, so the run is paused; its state is in ./.ut-media/. Run the same \`ut-media ingest\` here again to resume it where it stopped.`
    : `ut-media: detached; the ingestion goes on in Temporal. Follow it with \`ut-media status ${tests} --wait\` (or look it up in the Temporal UI).`;
}

function printDetached(handles: WorkflowHandleWithFirstExecutionRunId[], testIds: string[], json: boolean): void {
  const runs = handles.map((h, i) => ({ testId: testIds[i], workflowId: h.workflowId, runId: h.firstExecutionRunId }));
  if (json) process.stdout.write(`${JSON.stringify(runs.length === 1 ? runs[0] : { runs })}\n`);
  else for (const r of runs) process.stdout.write(`${r.workflowId} ${r.runId}\n`);
  process.stderr.write(`Detached. Follow with \`ut-media status ${testIds.map((id) => `--test ${id}`).join(' ')} --wait\`.\n`);
}

async function startIngestion(client: Client, settings: Settings, request: IngestRequest, testId: string): Promise<WorkflowHandleWithFirstExecutionRunId> {
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
    staticSummary: ingestionSummary(testId, request.dest, request.only),
    staticDetails: ingestionDetails({ testId, dest: request.dest, only: request.only, sessionIds: request.sessionIds }),
  });
  process.stderr.write(`Workflow ${handle.workflowId} (run ${handle.firstExecutionRunId}) ingesting into ${request.dest}\n`);
  return handle;
}

/** Waits for every run, showing progress and problems; a run stuck past UT_STALL_TIMEOUT_MS ends with exit 1. */
async function follow(client: Client, handles: WorkflowHandle[], request: FollowRequest, settings: Settings, flags: IngestOptions): Promise<TestOutcome[]> {
  const display = flags.progress === false ? undefined : createProgressDisplay({ ratePerMinute: settings.ratePerMinute, plainEveryMs: settings.progressIntervalMs });
  // Queries spread out with many tests: about five runs asked per second.
  const everyMs = Math.min(settings.progressIntervalMs, 1000 * Math.max(1, Math.ceil(handles.length / 5)));
  const polling = display ? pollProgress(client, handles.map((handle) => ({ handle, dest: request.dest, only: request.only })), display, everyMs) : undefined;
  // Health checks describe each run and its children: spread them out when there are many tests.
  const healthEveryMs = Math.min(settings.stallTimeoutMs, HEALTH_CHECK_MS * Math.max(1, Math.ceil(handles.length / 5)));
  try {
    return await Promise.all(handles.map((h, i) => followOne(client, h, request.testIds[i], request.dest, settings, healthEveryMs)));
  } finally {
    await polling?.finish();
    display?.stop();
  }
}

async function followOne(client: Client, handle: WorkflowHandle, testId: string, dest: string | undefined, settings: Settings, everyMs: number): Promise<TestOutcome> {
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

async function result(handle: WorkflowHandle, testId: string, dest: string | undefined): Promise<TestOutcome> {
  try {
    const summary = (await handle.result()) as IngestSummary;
    if (dest !== undefined && summary.dest !== dest) {
      // USE_EXISTING attached us to a run that was started with another destination.
      const error = `attached to a running ingestion of this test into ${summary.dest}, not ${dest}; run again to ingest into ${dest}`;
      return { testId, code: EXIT.failed, summary, error };
    }
    return { testId, code: summary.failed ? EXIT.failed : EXIT.ok, summary };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const type = failureType(err.cause);
    const code = type === 'InvalidInput' || type === 'InvalidDestination' || type === 'InvalidCredentials' ? EXIT.usage : EXIT.failed;
    return { testId, code, error: `ingestion failed: ${redactSecrets(failureReason(err.cause))}` };
  }
}
