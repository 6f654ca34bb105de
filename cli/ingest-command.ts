import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { runOptionsFromSettings } from '../config/run-options';
import type { Settings } from '../config/settings';
import type { IngestTestResultInput } from '../contract/inputs';
import { TEST_ID_SEARCH_ATTRIBUTE } from '../contract/search-attributes';
import { testWorkflowId } from '../contract/task-queues';
import { ingestionDetails, ingestionSummary } from '../workflows/ui-metadata';
import { CliError, EXIT } from './exit-codes';
import { followAndReport } from './follow-runs';
import { printJsonOutcome } from './json-outcome';
import { runPlan } from './plan-command';
import { openTemporalSession } from './temporal-session';
import { checkDestination } from './destination-check';
import { type IngestFlags, type IngestRequest, cliSettings, validateIngest } from './validate-ingest';

export interface IngestOptions extends IngestFlags {
  json?: boolean;
  /** Plan only: what would be fetched and what it would cost (`ut-media plan`). */
  dryRun?: boolean;
  /** Start (or attach), print the workflow ids and return (needs TEMPORAL_ADDRESS). */
  detach?: boolean;
  progress?: boolean;
}

const INTERRUPTS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const followHint = (testIds: string[]) => `ut-media status ${testIds.map((id) => `--test ${id}`).join(' ')} --wait`;

/**
 * `ut-media ingest`: validate, start (or attach to) one `ingestTestResult` per test, follow their
 * progress, print a summary with a row per test; exit code = the worst test's (0/1/2).
 */
export async function runIngest(flags: IngestOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (flags.dryRun) return runPlan(flags, env);
  const request = validateIngest(flags);
  const settings = cliSettings(env);
  if (flags.detach && !settings.temporalAddress) {
    throw new CliError('--detach needs TEMPORAL_ADDRESS: the embedded server and worker live only as long as this command', EXIT.usage);
  }
  // Before any server starts (a failed check must leave nothing running). With TEMPORAL_ADDRESS the
  // workers hold the storage credentials, and they report it.
  if (!settings.temporalAddress) await checkDestination(request.dest);
  const session = await openTemporalSession(settings, (line) => process.stderr.write(`${line}\n`));
  try {
    const handles = [];
    for (const testId of request.testIds) handles.push(await startIngestion(session.client, settings, request, testId));
    if (flags.detach) {
      printDetached(handles, request.testIds, Boolean(flags.json));
      return EXIT.ok;
    }
    const interrupt = new AbortController();
    const onSignal = () => interrupt.abort();
    // Ctrl-C (and a scheduler's SIGTERM or a closed terminal) detach from the runs: they go on in Temporal.
    for (const signal of INTERRUPTS) process.once(signal, onSignal);
    try {
      const code = await followAndReport(session.client, handles, { ...request, serverMayReturn: session.serverMayReturn }, settings, flags, interrupt.signal);
      if (code !== undefined) return code;
    } finally {
      for (const signal of INTERRUPTS) process.off(signal, onSignal);
    }
    const advice = interruptedAdvice(session.embedded, request.testIds);
    process.stderr.write(`\nut-media: ${advice}\n`);
    if (flags.json) printJsonOutcome({ code: EXIT.interrupted, error: advice }, { testIds: request.testIds });
    return EXIT.interrupted;
  } finally {
    await session.close();
  }
}

function interruptedAdvice(embedded: boolean, testIds: string[]): string {
  return embedded
    ? `stopped. The embedded worker is gone, so the run is paused; its state is in ./.ut-media/. ` +
        `Run the same \`ut-media ingest\` here again to resume it where it stopped.`
    : `detached; the ingestion goes on in Temporal. Follow it with \`${followHint(testIds)}\` (or look it up in the Temporal UI).`;
}

function printDetached(handles: WorkflowHandleWithFirstExecutionRunId[], testIds: string[], json: boolean): void {
  const runs = handles.map((h, i) => ({ testId: testIds[i], workflowId: h.workflowId, runId: h.firstExecutionRunId }));
  if (json) printJsonOutcome({ code: EXIT.ok }, runs.length === 1 ? runs[0] : { runs });
  else for (const r of runs) process.stdout.write(`${r.workflowId} ${r.runId}\n`);
  process.stderr.write(`Detached. Follow with \`${followHint(testIds)}\`.\n`);
}

async function startIngestion(client: Client, settings: Settings, request: IngestRequest, testId: string): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const input: IngestTestResultInput = {
    testId,
    dest: request.dest,
    only: request.only,
    refreshDetails: request.refreshDetails,
    sessionIds: request.sessionIds,
    ...(request.prune ? { prune: true, pruneMax: request.prune.pruneMax } : {}),
    options: runOptionsFromSettings(settings),
  };
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
