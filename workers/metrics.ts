import type { MetricMeter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { ActivityMetrics } from '../activities/deps';
import type { ApiRequestMetrics } from '../usertesting/results-api-client';

/** The metrics ut-media adds to the SDK's own on the worker's `/metrics` (names documented in docs/cluster.md, "Metrics"). */
export const METRIC_NAMES = {
  apiRequests: 'ut_media_api_requests_total',
  apiRateLimited: 'ut_media_api_rate_limited_total',
  budgetWait: 'ut_media_api_budget_wait_seconds',
  bytesMoved: 'ut_media_bytes_moved_total',
  linksRerequested: 'ut_media_links_rerequested_total',
} as const;

/** From milliseconds in an idle queue to the hour a large backlog can wait at 10 requests a minute. */
export const BUDGET_WAIT_BUCKETS_SECONDS = [0.05, 0.25, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800, 3600];

export type BudgetWaitCause = 'queue' | 'rate_limit_reset';

export interface PipelineMetrics extends ApiRequestMetrics, ActivityMetrics {
  budgetWait(cause: BudgetWaitCause, waitMs: number): void;
}

/** Feeds the worker's metrics through the SDK's meter, so they share the SDK's Prometheus endpoint. */
export function createPipelineMetrics(meter: MetricMeter): PipelineMetrics {
  const requests = meter.createCounter(METRIC_NAMES.apiRequests, 'requests', 'Results API requests by operation and HTTP status ("error": no answer)');
  const rateLimited = meter.createCounter(METRIC_NAMES.apiRateLimited, 'requests', 'Results API requests answered 429');
  const budgetWait = meter.createHistogram(
    METRIC_NAMES.budgetWait,
    'float',
    's',
    'Time API work waited for the request budget: in the rate-limited task queue, or for the window to reset after a 429',
  );
  const bytes = meter.createCounter(METRIC_NAMES.bytesMoved, 'bytes', 'Media bytes streamed into the destination, by asset kind');
  const rerequested = meter.createCounter(
    METRIC_NAMES.linksRerequested,
    'links',
    'Signed links found expired; the activity retry asks the API for a fresh one',
  );
  const waited = (cause: BudgetWaitCause, waitMs: number) => budgetWait.record(Math.max(0, waitMs) / 1000, { cause });
  return {
    requestAnswered(operation, status) {
      requests.add(1, { operation, status: String(status) });
      if (status === 429) rateLimited.add(1, { operation });
    },
    heldBack: (waitMs) => waited('rate_limit_reset', waitMs),
    budgetWait: waited,
    bytesMoved(kind, n) {
      if (n > 0) bytes.add(n, { kind });
    },
    linkExpired: (kind) => rerequested.add(1, { kind }),
  };
}

/**
 * On the API task queue, the time from an attempt being scheduled to it starting is the wait for
 * the budget (the server's dispatch rate), plus any wait for a free slot in this worker.
 */
export function apiQueueWaitInterceptor(metrics: Pick<PipelineMetrics, 'budgetWait'>): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      execute(input, next) {
        metrics.budgetWait('queue', Date.now() - ctx.info.currentAttemptScheduledTimestampMs);
        return next(input);
      },
    },
  });
}
