import fs from 'node:fs';
import { NativeConnection } from '@temporalio/worker';
import { isRunning } from '../infra/dev-server-owner';
import { startTemporalDevServer, type RunningDevServer } from '../infra/temporal-dev-server';
import type { Settings } from '../config/settings';
import { buildActivityDeps } from '../workers/activity-deps';
import { createWorkersFromSettings, type UtMediaWorkers } from '../workers/create-workers';
import { createLogger } from '../workers/logger';
import { createPipelineMetrics } from '../workers/metrics';
import { installRuntime } from '../workers/runtime';
import { announceRunning, clearRunning, embeddedDbFile, embeddedStateDir } from './embedded-state';
import { workflowBundlePath } from './workflow-bundle';

export interface EmbeddedCluster {
  address: string;
  /** The pid of a dev server a killed `ingest` had left running on this folder's state, stopped first. */
  stoppedOrphan?: number;
  /** Whether the dev server still runs (if it ended, nobody restarts it). */
  serverRunning(): boolean;
  stop(): Promise<void>;
}

/**
 * The embedded default (no TEMPORAL_ADDRESS): a local Temporal dev server whose state lives in
 * `./.ut-media/temporal.db`, so an interrupted run resumes on the next `ingest`, and an in-process
 * worker for both task queues.
 */
export async function startEmbeddedCluster(settings: Settings, stateDir = embeddedStateDir()): Promise<EmbeddedCluster> {
  fs.mkdirSync(stateDir, { recursive: true });
  const logger = createLogger(process.env.UT_LOG_LEVEL ?? 'warn');
  // The SDK's lifecycle chatter would drown the progress display; its warnings stay visible with UT_LOG_LEVEL.
  const metrics = createPipelineMetrics(installRuntime(process.env.UT_LOG_LEVEL ? logger : createLogger('error'), settings.metrics));
  const deps = buildActivityDeps(settings, logger, metrics);
  let server: RunningDevServer | undefined;
  let connection: NativeConnection | undefined;
  let workers: UtMediaWorkers | undefined;
  try {
    server = await startTemporalDevServer({ dbFilename: embeddedDbFile(stateDir), namespace: settings.namespace });
    connection = await NativeConnection.connect({ address: server.address });
    workers = await createWorkersFromSettings(connection, settings, deps, workflowBundlePath(), metrics);
  } catch (err) {
    await connection?.close();
    await server?.stop();
    throw err;
  }
  const running = workers.run();
  const started = { server, connection, workers };
  // `status` in another terminal finds this server here while the run goes on.
  announceRunning(stateDir, { address: server.address, pid: process.pid, namespace: settings.namespace });
  return {
    address: server.address,
    stoppedOrphan: server.stoppedOrphan,
    serverRunning: () => started.server.pid === undefined || isRunning(started.server.pid),
    async stop() {
      clearRunning(stateDir);
      started.workers.shutdown();
      await running.catch(() => undefined);
      await started.connection.close();
      await started.server.stop();
    },
  };
}
