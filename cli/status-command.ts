import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { loadSettings } from '../config/settings';
import { progressQuery } from '../workflows/progress';
import { isUuid } from '../workflows/ids';
import { testWorkflowId } from '../workflows/task-queues';
import { CliError, EXIT } from './exit-codes';
import { describeProgress } from './progress-display';
import { asUsageError } from './validate-ingest';

/** `ut-media status`: state and progress of the latest ingestion of a test on TEMPORAL_ADDRESS. */
export async function runStatus(flags: { test?: string; json?: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (!flags.test || !isUuid(flags.test)) throw new CliError('--test: testId must be a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6', EXIT.usage);
  let settings;
  try {
    settings = loadSettings(env);
  } catch (err) {
    asUsageError(err);
  }
  if (!settings.temporalAddress) throw new CliError('status needs TEMPORAL_ADDRESS (the embedded server runs only during `ingest`)', EXIT.usage);
  const connection = await Connection.connect({ address: settings.temporalAddress });
  try {
    const handle = new Client({ connection, namespace: settings.namespace }).workflow.getHandle(testWorkflowId(flags.test));
    let description;
    try {
      description = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new CliError(`no ingestion of test ${flags.test} found`, EXIT.failed);
      throw err;
    }
    const progress = await handle.query(progressQuery).catch(() => undefined);
    const status = description.status.name;
    if (flags.json) process.stdout.write(`${JSON.stringify({ testId: flags.test.toLowerCase(), workflowId: handle.workflowId, runId: description.runId, status, startTime: description.startTime, closeTime: description.closeTime ?? null, progress: progress ?? null })}\n`);
    else process.stdout.write(`${handle.workflowId} ${status} (started ${description.startTime.toISOString()})\n${progress ? describeProgress(progress) : 'progress unavailable (no worker answered the query)'}\n`);
    return status === 'FAILED' || status === 'TERMINATED' || status === 'TIMED_OUT' ? EXIT.failed : EXIT.ok;
  } finally {
    await connection.close();
  }
}
