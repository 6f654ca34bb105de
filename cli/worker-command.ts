import { NativeConnection } from '@temporalio/worker';
import { loadSettings, requireCredentials } from '../config/settings';
import { buildActivityDeps } from '../workers/activity-deps';
import { createWorkersFromSettings } from '../workers/create-workers';
import { createLogger } from '../workers/logger';
import { createPipelineMetrics } from '../workers/metrics';
import { installRuntime } from '../workers/runtime';
import { asUsageError } from './validate-ingest';
import { workflowBundlePath } from './workflow-bundle';

/** `ut-media worker`: serves both task queues on TEMPORAL_ADDRESS until SIGINT/SIGTERM. */
export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let settings;
  let deps;
  let metrics;
  const logger = createLogger(env.UT_LOG_LEVEL ?? 'info');
  try {
    settings = loadSettings(env);
    requireCredentials(settings); // before the metrics port opens
    metrics = createPipelineMetrics(installRuntime(logger, settings.metrics));
    deps = buildActivityDeps(settings, logger, metrics);
  } catch (err) {
    asUsageError(err);
  }
  const address = settings.temporalAddress ?? 'localhost:7233';
  const connection = await NativeConnection.connect({ address });
  try {
    const workers = await createWorkersFromSettings(connection, settings, deps, workflowBundlePath(), metrics);
    const served = settings.metrics && `http://${settings.metrics.host}:${settings.metrics.port}/metrics`;
    logger.info(
      { address, namespace: settings.namespace, taskQueue: settings.taskQueue, ratePerMinute: settings.ratePerMinute, ...(served ? { metrics: served } : {}) },
      'worker started',
    );
    await workers.run();
    logger.info({}, 'worker stopped');
    return 0;
  } finally {
    await connection.close();
  }
}
