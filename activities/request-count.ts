import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { countRequests } from '../usertesting/request-tally';

/** What an API activity's result or final failure carries: the requests of all its attempts. */
export interface RequestCount {
  apiRequests: number;
}

/** Earlier attempts' requests live this long in the worker (a retry comes within the policy's 2-minute cap). */
const KEPT_MS = 3 * 3_600_000;
const MAX_KEPT = 10_000;

/**
 * Requests of attempts that failed and will be retried, per activity, so the attempt that ends
 * the activity reports them all. A retry that lands on another worker cannot know of them: the
 * count is then short by those (the API's own log is the reference; see
 * docs/api-budget.md, "Every request is counted").
 */
class EarlierAttempts {
  private readonly sent = new Map<string, { n: number; at: number }>();

  take(key: string | undefined): number {
    if (!key) return 0;
    const entry = this.sent.get(key);
    this.sent.delete(key);
    return entry?.n ?? 0;
  }

  keep(key: string | undefined, n: number): void {
    if (!key || n === 0) return;
    const now = Date.now();
    if (this.sent.size >= MAX_KEPT) {
      for (const [k, v] of this.sent) if (now - v.at > KEPT_MS || this.sent.size >= MAX_KEPT) this.sent.delete(k);
    }
    this.sent.set(key, { n, at: now });
  }
}

function activityKey(): string | undefined {
  try {
    const { workflowExecution, activityId } = Context.current().info;
    return workflowExecution && `${workflowExecution.workflowId}/${workflowExecution.runId}/${activityId}`;
  } catch {
    return undefined;
  }
}

/**
 * Each API activity reports the Results API requests it cost, retries included: its result gains
 * `apiRequests`, and its final failure carries `{ apiRequests }` as details, for the run's tally.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function countingApiRequests<T extends Record<string, (...args: any[]) => Promise<object>>>(activities: T): T {
  const earlier = new EarlierAttempts();
  const counted = Object.entries(activities).map(([name, run]) => [
    name,
    async (...args: unknown[]) => {
      const key = activityKey();
      const before = earlier.take(key);
      const outcome = await countRequests(() => run(...args));
      const apiRequests = before + outcome.sent;
      if ('result' in outcome) return { ...outcome.result, apiRequests };
      const err = outcome.error;
      if (!(err instanceof ApplicationFailure)) throw err;
      if (!err.nonRetryable) earlier.keep(key, apiRequests);
      throw ApplicationFailure.create({
        message: err.message,
        type: err.type ?? undefined,
        nonRetryable: err.nonRetryable ?? false,
        details: [{ apiRequests } satisfies RequestCount],
        nextRetryDelay: err.nextRetryDelay ?? undefined,
        category: err.category ?? undefined,
      });
    },
  ]);
  return Object.fromEntries(counted) as T;
}
