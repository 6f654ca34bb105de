import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** How fast the server hands out the API queue's tasks, against the budget (the server's own 30-second figures). */
export interface ApiQueueRate {
  taskQueue: string;
  dispatchedPerMinute: number;
  budgetPerMinute: number;
  /** Requests waiting for the budget (or for a free worker slot). */
  waiting: number;
}

/** The API queue's dispatch rate and backlog; undefined where the server does not report them. */
export async function apiQueueRate(client: Client, apiQueue: string, budgetPerMinute: number): Promise<ApiQueueRate | undefined> {
  try {
    const answer = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: apiQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      reportStats: true,
    });
    if (!answer.stats) return undefined;
    return {
      taskQueue: apiQueue,
      dispatchedPerMinute: Math.round((answer.stats.tasksDispatchRate ?? 0) * 600) / 10,
      budgetPerMinute,
      waiting: Number(answer.stats.approximateBacklogCount ?? 0),
    };
  } catch {
    return undefined;
  }
}

export function describeApiQueueRate(r: ApiQueueRate): string {
  return `API queue ${r.taskQueue}: ${r.dispatchedPerMinute}/min dispatched over the last 30 s, budget ${r.budgetPerMinute}/min, ${r.waiting} waiting`;
}
