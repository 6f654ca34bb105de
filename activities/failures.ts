import { ApplicationFailure } from '@temporalio/common';
import {
  BadRequestError,
  InvalidCredentialsError,
  InvalidResponseError,
  LinkExpiredError,
  MediaHostUnreachableError,
  NotFoundError,
  RateLimitedError,
  UnauthorizedError,
  UserTestingError,
} from '../usertesting/errors';
import { redactSecrets } from '../usertesting/redact';
import { DestinationUnavailableError, InvalidDestinationError, StorageRequestError } from '../storage';
import { InvalidMediaError } from './content-check';

export { NON_RETRYABLE_FAILURES } from '../contract/failure-types';
import { FAILURE_TYPE } from '../contract/failure-types';

/**
 * Maps any error to the Temporal failure that makes the retry do the right thing. The original
 * error is not attached as `cause`: undici errors carry the URL, and with it a signed query.
 */
export function toActivityFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const message = redactSecrets(err instanceof Error ? err.message : String(err));
  if (err instanceof RateLimitedError) {
    // The server waits this long before the retry (capped by the policy's maximumInterval).
    return ApplicationFailure.create({ message, type: FAILURE_TYPE.RateLimited, nextRetryDelay: err.retryAfterMs });
  }
  if (err instanceof UnauthorizedError) {
    // The token provider already dropped the token; the retry fetches a new one.
    return ApplicationFailure.create({ message, type: FAILURE_TYPE.Unauthorized, nextRetryDelay: 200 });
  }
  if (err instanceof LinkExpiredError) return ApplicationFailure.create({ message, type: FAILURE_TYPE.LinkExpired, nextRetryDelay: 200 });
  if (err instanceof InvalidCredentialsError) return ApplicationFailure.nonRetryable(message, FAILURE_TYPE.InvalidCredentials);
  if (err instanceof BadRequestError) return ApplicationFailure.nonRetryable(message, FAILURE_TYPE.BadRequest);
  if (err instanceof NotFoundError) return ApplicationFailure.nonRetryable(message, FAILURE_TYPE.NotFound);
  if (err instanceof InvalidResponseError) return ApplicationFailure.nonRetryable(message, FAILURE_TYPE.InvalidResponse);
  // Waited out on the same link already, up to the configured limit: another attempt would ask for a link in vain.
  if (err instanceof MediaHostUnreachableError) return ApplicationFailure.nonRetryable(message, FAILURE_TYPE.MediaHostUnreachable);
  if (err instanceof UserTestingError) return ApplicationFailure.retryable(message, err.name);
  if (err instanceof InvalidMediaError) return ApplicationFailure.nonRetryable(message, FAILURE_TYPE.InvalidMedia);
  if (err instanceof InvalidDestinationError) return ApplicationFailure.nonRetryable(message, FAILURE_TYPE.InvalidDestination);
  if (err instanceof DestinationUnavailableError) return ApplicationFailure.nonRetryable(message, FAILURE_TYPE.DestinationUnavailable);
  if (err instanceof StorageRequestError)
    return err.retryable
      ? ApplicationFailure.retryable(message, FAILURE_TYPE.StorageRequest)
      : ApplicationFailure.nonRetryable(message, FAILURE_TYPE.StorageRequestRejected);
  const local = LOCAL_WRITE_FAILURES[(err as NodeJS.ErrnoException).code ?? ''];
  if (local) return ApplicationFailure.nonRetryable(`${message} (${local.advice})`, local.type);
  return ApplicationFailure.retryable(message, err instanceof Error ? err.name : 'Error');
}

/**
 * File-system errors no retry fixes soon: each would be retried for an hour, re-downloading every
 * time. The asset fails at once with the advice; the next run retries it.
 */
const LOCAL_WRITE_FAILURES: Record<string, { type: string; advice: string }> = {
  ENOSPC: { type: FAILURE_TYPE.DestinationFull, advice: 'the destination file system is full: free space and run again' },
  EDQUOT: { type: FAILURE_TYPE.DestinationFull, advice: 'the disk quota is exhausted: free space and run again' },
  EROFS: { type: FAILURE_TYPE.DestinationUnwritable, advice: 'the destination is read-only' },
  EACCES: { type: FAILURE_TYPE.DestinationUnwritable, advice: 'permission denied on the destination' },
  EPERM: { type: FAILURE_TYPE.DestinationUnwritable, advice: 'operation not permitted on the destination' },
};

/** Runs an activity body and converts whatever it throws. */
export async function withFailureMapping<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw toActivityFailure(err);
  }
}
