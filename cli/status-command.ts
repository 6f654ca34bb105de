import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { loadSettings } from '../config/settings';
import { redactSecrets } from '../usertesting/redact';
import type { ProgressSnapshot } from '../workflows/asset-types';
import { progressQuery } from '../workflows/progress';
import { isUuid } from '../workflows/ids';
import { testWorkflowId } from '../workflows/task-queues';
import { CliError, EXIT } from './exit-codes';
import { describeProgress } from './progress-display';
import { checkRunHealth, describeProblem, type RunProblem } from './run-health';
import { givenTestIds } from './tests-file';
import { asUsageError } from './validate-ingest';

interface TestStatus {
  testId: string;
  workflowId: string;
  found: boolean;
  runId?: string;
  status?: string;
  startTime?: Date;
  closeTime?: Date | null;
  progress: ProgressSnapshot | null;
  problems: RunProblem[];
}

const FAILED_STATES = new Set(['FAILED', 'TERMINATED', 'TIMED_OUT']);

/** `ut-media status`: state, progress and problems of the latest ingestion of each test on TEMPORAL_ADDRESS. */
export async function runStatus(flags: { test?: string | string[]; testsFile?: string; json?: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const given = givenTestIds(flags);
  for (const id of given) if (!isUuid(id)) throw new CliError(`--test: "${id}" is not a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6`, EXIT.usage);
  let settings;
  try {
    settings = loadSettings(env);
  } catch (err) {
    asUsageError(err);
  }
  if (!settings.temporalAddress) throw new CliError('status needs TEMPORAL_ADDRESS (the embedded server runs only during `ingest`)', EXIT.usage);
  const connection = await Connection.connect({ address: settings.temporalAddress });
  try {
    const client = new Client({ connection, namespace: settings.namespace });
    const rows: TestStatus[] = [];
    for (const testId of Array.from(new Set(given.map((id) => id.toLowerCase())))) rows.push(await statusOf(client, testId));
    if (flags.json) {
      const json = rows.map((r) => ({ testId: r.testId, workflowId: r.workflowId, found: r.found, runId: r.runId ?? null, status: r.status ?? null, startTime: r.startTime ?? null, closeTime: r.closeTime ?? null, progress: r.progress, problems: r.problems.map((p) => ({ ...p, cause: redactSecrets(p.cause) })) }));
      process.stdout.write(`${JSON.stringify(json.length === 1 ? json[0] : { tests: json })}\n`);
    } else {
      for (const r of rows) {
        if (!r.found) {
          process.stdout.write(`${r.workflowId}: no ingestion of test ${r.testId} found\n`);
          continue;
        }
        process.stdout.write(`${r.workflowId} ${r.status} (started ${r.startTime!.toISOString()})\n${r.progress ? describeProgress(r.progress) : 'progress unavailable (no worker answered the query)'}\n`);
        for (const p of r.problems) process.stdout.write(`PROBLEM ${redactSecrets(describeProblem(p))}\n`);
      }
    }
    const bad = rows.some((r) => !r.found || FAILED_STATES.has(r.status ?? '') || r.problems.some((p) => p.kind === 'workflow-task'));
    return bad ? EXIT.failed : EXIT.ok;
  } finally {
    await connection.close();
  }
}

async function statusOf(client: Client, testId: string): Promise<TestStatus> {
  const handle = client.workflow.getHandle(testWorkflowId(testId));
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { testId, workflowId: handle.workflowId, found: false, progress: null, problems: [] };
    throw err;
  }
  const status = description.status.name;
  // A stuck run answers no query (its workflow task fails): ask briefly, then say why.
  let timer: NodeJS.Timeout | undefined;
  const progress = await Promise.race([handle.query(progressQuery), new Promise<undefined>((r) => (timer = setTimeout(r, 3000, undefined)))])
    .catch(() => undefined)
    .finally(() => clearTimeout(timer));
  const problems = status === 'RUNNING' ? await checkRunHealth(client, handle) : [];
  return { testId, workflowId: handle.workflowId, found: true, runId: description.runId, status, startTime: description.startTime, closeTime: description.closeTime ?? null, progress: progress ?? null, problems };
}
