import { NativeConnection } from '@temporalio/worker';
import { loadSettings } from '../config/settings';
import { buildActivityDeps } from '../workers/activity-deps';
import { createWorkersFromSettings } from '../workers/create-workers';
import { createLogger } from '../workers/logger';
import { installRuntime } from '../workers/runtime';
import { asUsageError } from './validate-ingest';
import { workflowBundlePath } from './workflow-bundle';

/** `ut-media worker`: serves both task queues on TEMPORAL_ADDRESS until SIGINT/SIGTERM. */
export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let settings;
  let deps;
  const logger = createLogger(env.UT_LOG_LEVEL ?? 'info');
  try {
    settings = loadSettings(env);
    deps = buildActivityDeps(settings, logger);
  } catch (err) {
    asUsageError(err);
  }
  installRuntime(logger);
  const address = settings.temporalAddress ?? 'localhost:7233';
  const connection = await NativeConnection.connect({ address });
  try {
    const workers = await createWorkersFromSettings(connection, settings, deps, workflowBundlePath());
    logger.info({ address, namespace: settings.namespace, taskQueue: settings.taskQueue, ratePerMinute: settings.ratePerMinute }, 'worker started');
    await workers.run();
    logger.info({}, 'worker stopped');
    return 0;
  } finally {
    await connection.close();
  }
}
