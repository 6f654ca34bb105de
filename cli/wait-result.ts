import { GRPC_CODE } from './grpc-codes';
import { isGrpcServiceError, ServiceError, type WorkflowHandle } from '@temporalio/client';

/** gRPC's status code UNAVAILABLE: the server cannot be reached (restarting, a network blip). */
const RETRY_EVERY_MS = 1000;
/** A wait for the result that lasted this long before failing again saw the server answer: a new outage. */
const OUTAGE_OVER_AFTER_MS = 60_000;

/** The server did not come back: for longer than the caller allows, or (`gone`) it cannot come back. */
export class ServerUnreachableError extends Error {
  override name = 'ServerUnreachableError';
  constructor(
    message: string,
    readonly gone: boolean,
  ) {
    super(message);
  }
}

const serverGone = () => new ServerUnreachableError('the embedded Temporal server has ended', true);

export function isServerUnavailable(err: unknown): boolean {
  const cause = err instanceof ServiceError ? err.cause : err;
  return isGrpcServiceError(cause) && cause.code === GRPC_CODE.UNAVAILABLE;
}

export interface OutageOptions {
  /** How long one outage may last, from when it was noticed. */
  limitMs: number;
  /** False once the server cannot answer again (an embedded server that ended): then no wait. */
  mayReturn(): boolean;
  report(line: string): void;
}

/**
 * The run's result, waiting through server outages: the client's own retries give up after about
 * 20 s, while a cluster upgrade or a dev server restart may take longer.
 */
export async function resultThroughOutages(handle: WorkflowHandle, options: OutageOptions): Promise<unknown> {
  let outageSince: number | undefined;
  for (;;) {
    const askedAt = Date.now();
    try {
      return await unlessServerGone(handle.result(), options);
    } catch (err) {
      if (!isServerUnavailable(err)) throw err;
    }
    if (outageSince === undefined || Date.now() - askedAt >= OUTAGE_OVER_AFTER_MS) {
      outageSince = Date.now();
      options.report(`the Temporal server does not answer; waiting up to ${Math.round(options.limitMs / 1000)} s for it (${handle.workflowId} goes on there)`);
    }
    await untilServerAnswers(handle, outageSince, options);
    options.report('the Temporal server answers again');
  }
}

/** `pending`, or ServerUnreachableError as soon as the server cannot answer again (not after the client's retries). */
async function unlessServerGone<T>(pending: Promise<T>, options: OutageOptions): Promise<T> {
  pending.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const gone = new Promise<never>((_resolve, reject) => {
    timer = setInterval(() => {
      if (!options.mayReturn()) reject(serverGone());
    }, RETRY_EVERY_MS);
  });
  try {
    return await Promise.race([pending, gone]);
  } finally {
    clearInterval(timer);
  }
}

async function untilServerAnswers(handle: WorkflowHandle, since: number, options: OutageOptions): Promise<void> {
  for (;;) {
    if (!options.mayReturn()) throw serverGone();
    if (Date.now() - since >= options.limitMs)
      throw new ServerUnreachableError(`the Temporal server has not answered for ${Math.round((Date.now() - since) / 1000)} s`, false);
    await new Promise((r) => setTimeout(r, RETRY_EVERY_MS));
    try {
      await handle.describe();
      return;
    } catch (err) {
      if (!isServerUnavailable(err)) throw err;
    }
  }
}
