import { Context } from '@temporalio/activity';

/** Heartbeat and cancellation when running inside a Temporal activity; no-ops when called directly. */
export function currentActivity(): { heartbeat(details: { bytes: number }): void; signal?: AbortSignal } {
  try {
    const ctx = Context.current();
    return { heartbeat: (details) => ctx.heartbeat(details), signal: ctx.cancellationSignal };
  } catch {
    return { heartbeat: () => undefined };
  }
}
