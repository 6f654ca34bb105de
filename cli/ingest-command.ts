import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { runOptionsFromSettings } from '../config/run-options';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { loadSettings, requireCredentials, type Settings } from '../config/settings';
import { redactSecrets } from '../usertesting/redact';
import type { IngestSummary } from '../workflows/asset-types';
import { failureReason } from '../workflows/failure-reason';
import type { IngestTestResultInput } from '../workflows/inputs';
import { progressQuery } from '../workflows/progress';
import { TEST_ID_SEARCH_ATTRIBUTE } from '../workflows/search-attributes';
import { testWorkflowId } from '../workflows/task-queues';
import { startEmbeddedCluster, type EmbeddedCluster } from './embedded-cluster';
import { CliError, EXIT } from './exit-codes';
import { createProgressDisplay } from './progress-display';
import { asUsageError, validateIngest, type IngestFlags } from './validate-ingest';

export interface IngestOptions extends IngestFlags {
  json?: boolean;
  progress?: boolean;
}

/** `ut-media ingest`: validate, start or attach, follow progress, print the summary, exit 0/1/2. */
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
    const client = new Client({ connection, namespace: settings.namespace });
    const input: IngestTestResultInput = {
      ...request,
      options: runOptionsFromSettings(settings),
    };
    const handle = await client.workflow.start('ingestTestResult', {
      taskQueue: settings.taskQueue,
      workflowId: testWorkflowId(request.testId),
      args: [input],
      // A second `ingest` of the same test attaches to the running one instead of starting twice.
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: [{ key: TEST_ID_SEARCH_ATTRIBUTE, value: request.testId }],
    });
    process.stderr.write(`Workflow ${handle.workflowId} (run ${handle.firstExecutionRunId}) ingesting into ${request.dest}\n`);

    const display = flags.progress === false ? undefined : createProgressDisplay();
    const timer = display
      ? setInterval(() => {
          handle.query(progressQuery).then((s) => display.update(s), () => undefined);
        }, 1000)
      : undefined;
    let summary: IngestSummary;
    try {
      summary = (await handle.result()) as IngestSummary;
    } finally {
      if (timer) clearInterval(timer);
      display?.stop();
    }
    printSummary(summary, Boolean(flags.json));
    if (summary.dest !== request.dest) {
      // USE_EXISTING attached us to a run that was started with another destination.
      process.stderr.write(`ut-media: attached to a running ingestion of this test into ${summary.dest}, not ${request.dest}; run again to ingest into ${request.dest}\n`);
      return EXIT.failed;
    }
    return summary.failed ? EXIT.failed : EXIT.ok;
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      const reason = failureReason(err.cause);
      const code = /^(InvalidInput|InvalidDestination|InvalidCredentials)/.test(reason) ? EXIT.usage : EXIT.failed;
      throw new CliError(`ingestion failed: ${redactSecrets(reason)}`, code);
    }
    throw err;
  } finally {
    await connection?.close();
    await cluster?.stop();
  }
}

function printSummary(summary: IngestSummary, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: summary.failed === 0, ...summary })}\n`);
    return;
  }
  const lines = [`Test ${summary.testId}: ${summary.sessions} sessions, ${summary.downloaded} files downloaded (${(summary.bytesDownloaded / 1048576).toFixed(1)} MiB)`];
  for (const [kind, c] of Object.entries(summary.counts)) lines.push(`  ${`${kind}s`.padEnd(12)} stored ${c.stored}, skipped ${c.skipped}, failed ${c.failed}`);
  for (const f of summary.failures) lines.push(`  FAILED ${f.kind} ${f.id}: ${f.reason}`);
  if (summary.failed > summary.failures.length) lines.push(`  ... and ${summary.failed - summary.failures.length} more failures: see the manifest`);
  lines.push(`Manifest: ${summary.manifestPath}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
