import { isGrpcServiceError, ServiceError, type WorkflowHandle } from '@temporalio/client';

/** gRPC's status code UNAVAILABLE: the server cannot be reached (restarting, a network blip). */
const GRPC_UNAVAILABLE = 14;
const RETRY_EVERY_MS = 1000;

/** The server did not answer for longer than the caller allows; the run itself goes on there. */
export class ServerUnreachableError extends Error {
  override name = 'ServerUnreachableError';
}

export function isServerUnavailable(err: unknown): boolean {
  const cause = err instanceof ServiceError ? err.cause : err;
  return isGrpcServiceError(cause) && cause.code === GRPC_UNAVAILABLE;
}

/**
 * The run's result, waiting through server outages: the client's own retries give up after about
 * 20 s, while a cluster upgrade or a dev server restart may take longer. An outage that lasts more
 * than `unreachableLimitMs` from when it was noticed: ServerUnreachableError.
 */
export async function resultThroughOutages(handle: WorkflowHandle, unreachableLimitMs: number, report: (line: string) => void): Promise<unknown> {
  for (;;) {
    try {
      return await handle.result();
    } catch (err) {
      if (!isServerUnavailable(err)) throw err;
    }
    report(`the Temporal server does not answer; waiting up to ${Math.round(unreachableLimitMs / 1000)} s for it (${handle.workflowId} goes on there)`);
    await untilServerAnswers(handle, unreachableLimitMs);
    report('the Temporal server answers again');
  }
}

async function untilServerAnswers(handle: WorkflowHandle, limitMs: number): Promise<void> {
  const since = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, RETRY_EVERY_MS));
    try {
      await handle.describe();
      return;
    } catch (err) {
      if (!isServerUnavailable(err)) throw err;
      if (Date.now() - since >= limitMs) throw new ServerUnreachableError(`the Temporal server has not answered for ${Math.round((Date.now() - since) / 1000)} s`);
    }
  }
}
