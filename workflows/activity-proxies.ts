import { proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { ApiActivities, StorageActivities } from '../activities';
import { NON_RETRYABLE_FAILURES } from '../contract/failure-types';
import type { RunOptions } from '../contract/inputs';
import { apiTaskQueue } from '../contract/task-queues';

function retry(options: RunOptions): ActivityOptions['retry'] {
  return {
    initialInterval: options.retryInitialIntervalMs,
    backoffCoefficient: 2,
    // Above the API's 60 s window: the server caps a 429's nextRetryDelay at this value.
    maximumInterval: '2 minutes',
    // With the 2-minute cap this keeps retrying for about an hour: long enough for an API outage.
    maximumAttempts: 30,
    nonRetryableErrorTypes: NON_RETRYABLE_FAILURES,
  };
}

/**
 * Which API request the budget serves first (Temporal task priority, 1 first; unset fields such as
 * the test's fairness key are inherited from the workflow): what unlocks more work or starts a
 * generation goes first, so generations run while the rest is fetched; a check the worker expects
 * to find the generation done (it has learned how long generations take) comes next; videos,
 * transcripts and checks made on a blind backoff fill the remaining budget, in the order they were
 * asked for. A blind check is often early: ahead of work that is sure to be useful, it would spend
 * a request for nothing while that work waits (at 10 requests a minute, 6 s of the run each).
 */
export const API_PRIORITY = { unlocks: 1, due: 2, fill: 3 } as const;

/** API activities run on `<queue>-api`, where the server enforces the cluster-wide request budget. */
export function apiActivities(options: RunOptions) {
  const taskQueue = apiTaskQueue(workflowInfo().taskQueue);
  // Time spent waiting for the budget is schedule-to-start, so only the call itself is bounded; every
  // call heartbeats, so a dead worker is noticed by the heartbeat timeout.
  const onBudget = (priorityKey: number, startToCloseTimeout: ActivityOptions['startToCloseTimeout']): ActivityOptions => ({
    taskQueue,
    startToCloseTimeout,
    heartbeatTimeout: options.heartbeatTimeoutMs,
    retry: retry(options),
    priority: { priorityKey },
  });
  // Multi-GiB videos stream for a long time.
  const media = (priorityKey: number) => onBudget(priorityKey, '6 hours');
  type Generation = Pick<ApiActivities, 'fetchReel' | 'fetchClip'>;
  return {
    listing: proxyActivities<Pick<ApiActivities, 'listSessionsPage' | 'listReels' | 'listClips'>>(onBudget(API_PRIORITY.unlocks, '1 minute')),
    media: proxyActivities<Pick<ApiActivities, 'fetchVideo' | 'fetchTranscript'>>(media(API_PRIORITY.fill)),
    /** Session details and QXscores: one small JSON answer each. */
    context: proxyActivities<Pick<ApiActivities, 'fetchSessionDetails' | 'fetchQxScore'>>(onBudget(API_PRIORITY.fill, '1 minute')),
    /** The first check of a reel or clip starts its generation. */
    generationStart: proxyActivities<Generation>(media(API_PRIORITY.unlocks)),
    /** A check when the worker's learned generation time says the asset should be done. */
    generationCheckDue: proxyActivities<Generation>(media(API_PRIORITY.due)),
    /** A check on the backoff, with no learned time to go by. */
    generationCheckBlind: proxyActivities<Generation>(media(API_PRIORITY.fill)),
  };
}

/** Destination-only activities run on the workflow's own queue, outside the API budget. */
export function storageActivities(options: RunOptions) {
  return proxyActivities<StorageActivities>({
    startToCloseTimeout: '10 minutes',
    // They heartbeat while they run: a worker that died mid-call is noticed in this time, not in 10 minutes.
    heartbeatTimeout: options.heartbeatTimeoutMs,
    retry: retry(options),
  });
}
