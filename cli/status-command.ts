import { apiQueueRate, describeApiQueueRate, type ApiQueueRate } from './api-queue-rate';
import { pruneRefusals } from '../contract/withdrawals';
import { Client, WorkflowFailedError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { redactSecrets } from '../usertesting/redact';
import type { IngestSummary, ProgressSnapshot } from '../contract/asset-types';
import { ASSET_KINDS } from '../contract/inputs';
import { progressQuery } from '../contract/progress-query';
import { isUuid } from '../contract/ids';
import { apiTaskQueue, testWorkflowId } from '../contract/task-queues';
import { CliError, EXIT } from './exit-codes';
import { followAndReport } from './follow-runs';
import { printJsonRows, type Outcome } from './json-outcome';
import { describeProgress } from './progress-lines';
import { checkRunHealth, describeProblem, type RunProblem } from './run-health';
import { openStatusSource } from './status-source';
import { statusFromManifest } from './status-manifest';
import { describeRunFailure } from './run-failure';
import { countLines, failedAssetsCause } from './summary-output';
import { givenTestIds } from './tests-file';
import { cliSettings } from './validate-ingest';

export interface StatusFlags {
  test?: string | string[];
  testsFile?: string;
  json?: boolean;
  /** Follow the runs to their end; exit as `ingest` would. */
  wait?: boolean;
  /** Without any Temporal state: read the manifest there. */
  dest?: string;
  progress?: boolean;
}

interface TestStatus {
  testId: string;
  workflowId: string;
  found: boolean;
  runId?: string;
  status?: string;
  startTime?: Date;
  closeTime?: Date | null;
  progress: ProgressSnapshot | null;
  /** The result of a completed run. */
  summary?: IngestSummary;
  /** Running, but read from the embedded state with no `ingest` here: nothing moves until one runs. */
  paused?: boolean;
  problems: RunProblem[];
  /** A running run: how fast the API queue is dispatched against the budget. */
  apiQueue?: ApiQueueRate;
  /** Why a run that ended without success (failed, terminated, timed out, cancelled) did. */
  failure?: string;
}

const FAILED_STATES = new Set(['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED']);

/**
 * `ut-media status`: state, progress and problems of the latest ingestion of each test, from
 * TEMPORAL_ADDRESS, from the embedded ingestion running in this folder, from the state it left in
 * ./.ut-media/, or (`--dest`, nothing else known) from the manifest.
 */
export async function runStatus(flags: StatusFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const given = givenTestIds(flags);
  for (const id of given) if (!isUuid(id)) throw new CliError(`--test: "${id}" is not a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6`, EXIT.usage);
  const testIds = Array.from(new Set(given.map((id) => id.toLowerCase())));
  const settings = cliSettings(env);
  const source = await openStatusSource(settings);
  if (!source) {
    if (flags.dest) return statusFromManifest(testIds, flags.dest, Boolean(flags.json));
    throw new CliError(
      'no ingestion known here: set TEMPORAL_ADDRESS, run status in the folder where the embedded `ingest` ran (its ./.ut-media/), ' +
        'or pass --dest to read the manifest',
      EXIT.usage,
    );
  }
  try {
    if (source.note && !flags.json) process.stderr.write(`Reading ${source.note}.\n`);
    if (flags.wait) {
      if (source.workerless)
        throw new CliError('--wait: no worker runs here, so nothing would move; run `ut-media ingest` again to resume (or set TEMPORAL_ADDRESS)', EXIT.usage);
      const handles = testIds.map((id) => source.client.workflow.getHandle(testWorkflowId(id)));
      return (
        (await followAndReport(source.client, handles, { testIds, only: [...ASSET_KINDS], serverMayReturn: source.serverMayReturn }, settings, {
          json: flags.json,
          progress: flags.progress,
        })) ?? EXIT.failed
      );
    }
    // At once: each running test may take up to UT_QUERY_TIMEOUT_MS to answer.
    // Tests of one cluster share its API queue: the server is asked about each queue once.
    const apiQueues = new Map<string, Promise<ApiQueueRate | undefined>>();
    const rateOf = (apiQueue: string) => {
      if (!apiQueues.has(apiQueue)) apiQueues.set(apiQueue, apiQueueRate(source.client, apiQueue, settings.ratePerMinute));
      return apiQueues.get(apiQueue)!;
    };
    const rows: TestStatus[] = await Promise.all(testIds.map((testId) => statusOf(source.client, testId, source.workerless, settings.queryTimeoutMs, rateOf)));
    return print(rows, Boolean(flags.json));
  } finally {
    await source.close();
  }
}

/** A test's status as an outcome: exit 1 for no run, a run that ended badly, failed assets or a stuck run. */
function outcomeOf(r: TestStatus): Outcome {
  if (!r.found) return { code: EXIT.failed, error: `no ingestion of test ${r.testId} found` };
  if (FAILED_STATES.has(r.status ?? '')) return { code: EXIT.failed, error: `${r.workflowId} ${r.status}: ${r.failure ?? 'no cause recorded'}` };
  if (r.summary?.failed) return { code: EXIT.failed, error: failedAssetsCause(r.summary.failed) };
  const refused = pruneRefusals(r.summary?.withdrawals);
  if (refused.length) return { code: EXIT.failed, error: refused.join('; ') };
  const stuck = r.problems.find((p) => p.kind === 'workflow-task');
  if (stuck) return { code: EXIT.failed, error: redactSecrets(describeProblem(stuck)) };
  return { code: EXIT.ok };
}

/** Prints the rows; returns the exit code (the worst test's). */
function print(rows: TestStatus[], json: boolean): number {
  if (json) {
    return printJsonRows(
      rows.map((r) => ({
        ...outcomeOf(r),
        body: {
          testId: r.testId,
          workflowId: r.workflowId,
          found: r.found,
          runId: r.runId ?? null,
          status: r.status ?? null,
          paused: r.paused ?? false,
          startTime: r.startTime ?? null,
          closeTime: r.closeTime ?? null,
          progress: r.progress,
          summary: r.summary ?? null,
          problems: r.problems.map((p) => ({ ...p, cause: redactSecrets(p.cause) })),
          ...(r.apiQueue && { apiQueue: r.apiQueue }),
        },
      })),
    );
  }
  for (const r of rows) {
    if (!r.found) {
      process.stdout.write(`${r.workflowId}: no ingestion of test ${r.testId} found\n`);
      continue;
    }
    process.stdout.write(`${r.workflowId} ${r.status} (started ${r.startTime!.toISOString()}${r.closeTime ? `, closed ${r.closeTime.toISOString()}` : ''})\n`);
    if (r.summary) {
      const s = r.summary;
      process.stdout.write(
        `${s.sessions} sessions, ${s.downloaded} files downloaded (${(s.bytesDownloaded / 1048576).toFixed(1)} MiB), ` +
          `${s.failed} failed, ${s.apiRequests ?? '?'} API requests\n`,
      );
      for (const line of countLines(s.counts)) process.stdout.write(`${line}\n`);
      if (s.manifestPath) process.stdout.write(`  Manifest: ${s.manifestPath}\n`);
    } else if (r.paused) {
      process.stdout.write('PAUSED: its `ingest` stopped before the end; run the same `ut-media ingest` here again to resume it\n');
    } else if (r.status === 'RUNNING') {
      process.stdout.write(`${r.progress ? describeProgress(r.progress) : 'progress unavailable (no worker answered the query)'}\n`);
      if (r.apiQueue) process.stdout.write(`${describeApiQueueRate(r.apiQueue)}\n`);
    } else if (r.failure) {
      process.stdout.write(`CAUSE ${r.failure}\n`);
    }
    for (const p of r.problems) process.stdout.write(`PROBLEM ${redactSecrets(describeProblem(p))}\n`);
  }
  return Math.max(EXIT.ok, ...rows.map((r) => outcomeOf(r).code));
}

async function statusOf(
  client: Client,
  testId: string,
  workerless: boolean,
  queryTimeoutMs: number,
  rateOf: (apiQueue: string) => Promise<ApiQueueRate | undefined>,
): Promise<TestStatus> {
  const handle = client.workflow.getHandle(testWorkflowId(testId));
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { testId, workflowId: handle.workflowId, found: false, progress: null, problems: [] };
    throw err;
  }
  const status = description.status.name;
  const base = {
    testId,
    workflowId: handle.workflowId,
    found: true,
    runId: description.runId,
    status,
    startTime: description.startTime,
    closeTime: description.closeTime ?? null,
  };
  if (status === 'COMPLETED') {
    const summary = (await handle.result()) as IngestSummary;
    return { ...base, progress: workerless ? null : ((await askProgress(handle, queryTimeoutMs)) ?? null), summary, problems: [] };
  }
  if (FAILED_STATES.has(status)) return { ...base, progress: null, problems: [], failure: await failureOf(handle) };
  if (status !== 'RUNNING') return { ...base, progress: null, problems: [] };
  if (workerless) return { ...base, progress: null, paused: true, problems: [] };
  const [progress, problems, apiQueue] = await Promise.all([
    askProgress(handle, queryTimeoutMs),
    checkRunHealth(client, handle),
    rateOf(apiTaskQueue(description.taskQueue)),
  ]);
  return { ...base, progress: progress ?? null, problems, ...(apiQueue && { apiQueue }) };
}

/** Why the latest run ended without success, from its failure chain. */
async function failureOf(handle: WorkflowHandle): Promise<string | undefined> {
  try {
    await handle.result();
    return undefined;
  } catch (err) {
    if (err instanceof WorkflowFailedError) return describeRunFailure(err).cause;
    throw err;
  }
}

/** A stuck run answers no query (its workflow task fails): ask briefly, then say why. */
async function askProgress(handle: WorkflowHandle, timeoutMs: number): Promise<ProgressSnapshot | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([handle.query(progressQuery), new Promise<undefined>((r) => (timer = setTimeout(r, timeoutMs, undefined)))])
    .catch(() => undefined)
    .finally(() => clearTimeout(timer));
}
