import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { apiActivitiesPerSecond } from './api-budget';

/**
 * How the API queue is held to the budget. The server splits a task queue's rate limit (the
 * workers' and the task-queue config's alike) among the queue's partitions, each its own token
 * bucket, and a partition with no task waiting wastes its share: on a server with its default 4
 * partitions a 10/min budget dispatched about 5/min. With one partition the server's limit is exact
 * and cluster-wide, whatever the number of workers; with several, each worker paces its own polls
 * (the SDK's `maxActivitiesPerSecond`) at its share of the budget.
 */
export type ApiPacing =
  | { by: 'server'; partitions: number; options: Pick<WorkerOptions, 'maxTaskQueueActivitiesPerSecond'>; notice?: string }
  | { by: 'worker'; partitions: number; apiWorkers: number; options: Pick<WorkerOptions, 'maxActivitiesPerSecond'>; notice: string };

/** Server-side pacing, as before the partitions were looked up (the embedding API's default). */
export function serverPacing(ratePerMinute: number, partitions = 1): ApiPacing {
  return { by: 'server', partitions, options: { maxTaskQueueActivitiesPerSecond: apiActivitiesPerSecond(ratePerMinute) } };
}

/**
 * Each of `apiWorkers` processes takes an equal share, less one request a minute per process: a
 * worker's local limiter releases about one request at once when it starts.
 */
export function workerPacing(ratePerMinute: number, partitions: number, apiWorkers: number, apiQueue: string): ApiPacing {
  const perMinute = Math.max(0.5 * ratePerMinute, apiActivitiesPerSecond(ratePerMinute) * 60 - (apiWorkers - 1)) / apiWorkers;
  const why =
    partitions > 1
      ? `the API task queue ${apiQueue} has ${partitions} partitions (the server's default), ` +
        `among which the server would split its rate limit and dispatch about half the budget`
      : `UT_API_PACING=worker`;
  const notice =
    `${why}; this worker paces itself at ${perMinute.toFixed(2)} requests/min instead ` +
    `(UT_RATE_LIMIT_PER_MINUTE=${ratePerMinute} shared by UT_API_WORKERS=${apiWorkers}). ` +
    `Run exactly ${apiWorkers} worker process${apiWorkers === 1 ? '' : 'es'} ` +
    `on this queue, or give it one partition (dynamic config matching.numTaskqueueReadPartitions and ` +
    `matching.numTaskqueueWritePartitions = 1 for ${apiQueue}) to let any number of workers share the budget exactly.`;
  return { by: 'worker', partitions, apiWorkers, options: { maxActivitiesPerSecond: perMinute / 60 }, notice };
}

/** `auto`: by the API queue's partitions; `server` or `worker` when the operator knows better (UT_API_PACING). */
export type PacingChoice = 'auto' | 'server' | 'worker';

/** Looks up the API queue's partitions and picks the pacing; a server that cannot tell gets server pacing, with a notice. */
export async function choosePacing(
  connection: NativeConnection,
  namespace: string,
  apiQueue: string,
  ratePerMinute: number,
  apiWorkers: number,
  choice: PacingChoice = 'auto',
): Promise<ApiPacing> {
  if (choice === 'server') return serverPacing(ratePerMinute);
  let partitions: number;
  try {
    const answer = await connection.workflowService.listTaskQueuePartitions({
      namespace,
      taskQueue: { name: apiQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    });
    partitions = answer.activityTaskQueuePartitions?.length ?? 0;
  } catch (err) {
    if (choice === 'worker') return workerPacing(ratePerMinute, 0, apiWorkers, apiQueue);
    const why = err instanceof Error ? err.message : String(err);
    return {
      ...serverPacing(ratePerMinute),
      notice:
        `could not look up the partitions of the API task queue ${apiQueue} (${why}): ` +
        `paced by the server's limit; if \`ut-media status\` shows the queue dispatched well below the budget while requests wait, ` +
        `set UT_API_PACING=worker (and UT_API_WORKERS to the number of worker processes)`,
    };
  }
  if (choice === 'worker') return workerPacing(ratePerMinute, partitions, apiWorkers, apiQueue);
  return partitions > 1 ? workerPacing(ratePerMinute, partitions, apiWorkers, apiQueue) : serverPacing(ratePerMinute, Math.max(1, partitions));
}
