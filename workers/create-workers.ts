import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createApiActivities, createStorageActivities, type ActivityDeps } from '../activities';
import type { Settings } from '../config/settings';
import { apiTaskQueue } from '../contract/task-queues';
import { choosePacing, serverPacing, type ApiPacing, type PacingChoice } from './api-pacing';
import { apiQueueWaitInterceptor, type PipelineMetrics } from './metrics';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  /** Task queue prefix (UT_TASK_QUEUE). */
  taskQueue: string;
  deps: ActivityDeps;
  /** Records how long API activities waited in the rate-limited queue (workers/metrics.ts). */
  metrics?: Pick<PipelineMetrics, 'budgetWait'>;
  ratePerMinute: number;
  /** Processes that poll the API queue, when each must pace itself (a queue of several partitions). @default 1 */
  apiWorkers?: number;
  /** How the API queue is paced (UT_API_PACING). @default 'auto' */
  pacing?: PacingChoice;
  /** Told once how the API queue is paced when it is not the server's exact limit. @default stderr */
  report?: (line: string) => void;
  /** Transfers in flight in this worker (UT_MAX_CONCURRENT_DOWNLOADS). */
  maxConcurrentDownloads: number;
  /** Path of the prebuilt workflow bundle (dist/workflow-bundle.js); else workflows are bundled at start. */
  workflowBundlePath?: string;
  identity?: string;
}

export interface UtMediaWorkers {
  /** Resolves when both workers have shut down. */
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * Two workers in one process: the main queue runs workflows and storage activities; the API queue
 * runs every activity that calls the Results API, with the same server-side rate on every worker.
 */
export async function createWorkers(setup: WorkerSetup): Promise<UtMediaWorkers> {
  const common = { connection: setup.connection, namespace: setup.namespace, ...(setup.identity ? { identity: setup.identity } : {}) };
  const main = await Worker.create({
    ...common,
    taskQueue: setup.taskQueue,
    ...(setup.workflowBundlePath ? { workflowBundle: { codePath: setup.workflowBundlePath } } : { workflowsPath: require.resolve('../workflows') }),
    activities: createStorageActivities(setup.deps),
    maxConcurrentActivityTaskExecutions: 8,
  });
  const apiQueue = apiTaskQueue(setup.taskQueue);
  const pacing = await choosePacing(setup.connection, setup.namespace, apiQueue, setup.ratePerMinute, setup.apiWorkers ?? 1, setup.pacing);
  if (pacing.notice) (setup.report ?? ((line) => process.stderr.write(`${line}\n`)))(`ut-media worker: ${pacing.notice}`);
  const api = await Worker.create({ ...common, ...apiWorkerOptions(setup, pacing) });
  const shutdown = () => {
    for (const w of [main, api]) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    run: async () => {
      // If one worker stops with an error, stop the other too instead of running half a deployment.
      const results = await Promise.allSettled([main.run(), api.run()].map((p) => p.catch((err) => (shutdown(), Promise.reject(err)))));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    shutdown,
  };
}

/**
 * The worker on the API queue `<taskQueue>-api`, for a host that runs ut-media's workflows on its own
 * queue `taskQueue`: every worker of that queue must be given the same `ratePerMinute`, since the
 * server enforces the rate the most recent poller sent. `pacing` (workers/api-pacing.ts): the
 * server's limit by default, right for a queue of one partition; `choosePacing` tells.
 */
export function apiWorkerOptions(
  setup: Pick<WorkerSetup, 'taskQueue' | 'deps' | 'ratePerMinute' | 'maxConcurrentDownloads' | 'metrics'>,
  pacing: ApiPacing = serverPacing(setup.ratePerMinute),
) {
  return {
    taskQueue: apiTaskQueue(setup.taskQueue),
    activities: createApiActivities(setup.deps),
    maxConcurrentActivityTaskExecutions: setup.maxConcurrentDownloads,
    ...pacing.options,
    ...(setup.metrics ? { interceptors: { activity: [apiQueueWaitInterceptor(setup.metrics)] } } : {}),
  } satisfies Partial<WorkerOptions>;
}

/** The usual case: both workers configured from the settings (env) of this process. */
export function createWorkersFromSettings(
  connection: NativeConnection,
  settings: Settings,
  deps: ActivityDeps,
  workflowBundlePath?: string,
  metrics?: PipelineMetrics,
): Promise<UtMediaWorkers> {
  return createWorkers({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    deps,
    metrics,
    ratePerMinute: settings.ratePerMinute,
    apiWorkers: settings.apiWorkers,
    pacing: settings.apiPacing,
    maxConcurrentDownloads: settings.maxConcurrentDownloads,
    workflowBundlePath,
  });
}
