import { Context } from '@temporalio/activity';
import type { Outage } from '../usertesting/link-retry';

/** What a transfer heartbeats: bytes so far and, while its media host cannot be reached, since when (read by the next attempt and by `status`). */
export interface TransferHeartbeat {
  bytes: number;
  outage?: Outage;
}

/** Identifies one activity across its attempts, for taking over what a dead attempt left. */
export interface ResumableWork {
  key: string;
  attempt: number;
  /**
   * How long a leftover must have been quiet before it is taken over. The SDK sends heartbeats at
   * most every 0.8 × the heartbeat timeout, and a retry starts only once the timeout has passed, so
   * a dead attempt's file has been idle at least 0.2 × the timeout by then; a busy one is not.
   */
  idleMs: number;
}

/** The running activity's context; undefined when called directly (tests, the CLI). */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** Heartbeat and cancellation when running inside a Temporal activity; no-ops when called directly. */
export function currentActivity(): {
  heartbeat(details: TransferHeartbeat): void;
  signal?: AbortSignal;
  work?: ResumableWork;
  outage?: Outage;
  heartbeatEveryMs?: number;
} {
  const ctx = activityContext();
  if (!ctx) return { heartbeat: () => undefined };
  const previous = ctx.info.heartbeatDetails as Partial<TransferHeartbeat> | undefined;
  const outage = previous?.outage && typeof previous.outage.sinceMs === 'number' ? previous.outage : undefined;
  const { workflowExecution, activityId, attempt, heartbeatTimeoutMs } = ctx.info;
  const work =
    heartbeatTimeoutMs && workflowExecution
      ? { key: `${workflowExecution.workflowId}/${workflowExecution.runId}/${activityId}`, attempt, idleMs: Math.floor(heartbeatTimeoutMs / 5) }
      : undefined;
  // Transfers report progress per chunk (tens of thousands per GB); the SDK throttles what it sends,
  // but every call still encodes its details, so only one call per interval gets through.
  const intervalMs = Math.min(1000, Math.max(50, Math.floor((heartbeatTimeoutMs ?? 10_000) / 10)));
  let lastAt = -Infinity;
  const heartbeat = (details: TransferHeartbeat) => {
    const now = Date.now();
    if (details.bytes !== 0 && !details.outage && now - lastAt < intervalMs) return;
    lastAt = now;
    ctx.heartbeat(details);
  };
  return {
    heartbeat,
    signal: ctx.cancellationSignal,
    work,
    outage,
    heartbeatEveryMs: heartbeatTimeoutMs ? Math.max(50, Math.floor(heartbeatTimeoutMs / 3)) : undefined,
  };
}

/**
 * Runs `work` while heartbeating on a timer, for activities that report no progress of their own:
 * the attempt of a worker that died is then retried after the heartbeat timeout, not after its
 * whole start-to-close timeout. Outside an activity, or without a heartbeat timeout, just runs it.
 */
export async function heartbeatingWhile<T>(work: () => Promise<T>): Promise<T> {
  const ctx = activityContext();
  const timeoutMs = ctx?.info.heartbeatTimeoutMs;
  if (!ctx || !timeoutMs) return work();
  const timer = setInterval(() => ctx.heartbeat(), Math.max(50, Math.floor(timeoutMs / 3)));
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** Every activity of `activities`, each run by `heartbeatingWhile`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function heartbeatingActivities<T extends Record<string, (...args: any[]) => Promise<unknown>>>(activities: T): T {
  return Object.fromEntries(Object.entries(activities).map(([name, run]) => [name, (...args: unknown[]) => heartbeatingWhile(() => run(...args))])) as T;
}
