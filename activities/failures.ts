import { ApplicationFailure } from '@temporalio/common';
import {
  BadRequestError,
  InvalidCredentialsError,
  InvalidResponseError,
  LinkExpiredError,
  NotFoundError,
  RateLimitedError,
  UnauthorizedError,
  UserTestingError,
} from '../usertesting/errors';
import { redactSecrets } from '../usertesting/redact';
import { InvalidMediaError } from './content-check';

export { NON_RETRYABLE_FAILURES } from '../workflows/failure-types';

/**
 * Maps any error to the Temporal failure that makes the retry do the right thing. The original
 * error is not attached as `cause`: undici errors carry the URL, and with it a signed query.
 */
export function toActivityFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const message = redactSecrets(err instanceof Error ? err.message : String(err));
  if (err instanceof RateLimitedError) {
    // The server waits this long before the retry (capped by the policy's maximumInterval).
    return ApplicationFailure.create({ message, type: 'RateLimited', nextRetryDelay: err.retryAfterMs });
  }
  if (err instanceof UnauthorizedError) {
    // The token provider already dropped the token; the retry fetches a new one.
    return ApplicationFailure.create({ message, type: 'Unauthorized', nextRetryDelay: 200 });
  }
  if (err instanceof LinkExpiredError) return ApplicationFailure.create({ message, type: 'LinkExpired', nextRetryDelay: 200 });
  if (err instanceof InvalidCredentialsError) return ApplicationFailure.nonRetryable(message, 'InvalidCredentials');
  if (err instanceof BadRequestError) return ApplicationFailure.nonRetryable(message, 'BadRequest');
  if (err instanceof NotFoundError) return ApplicationFailure.nonRetryable(message, 'NotFound');
  if (err instanceof InvalidResponseError) return ApplicationFailure.nonRetryable(message, 'InvalidResponse');
  if (err instanceof UserTestingError) return ApplicationFailure.retryable(message, err.name);
  if (err instanceof InvalidMediaError) return ApplicationFailure.nonRetryable(message, 'InvalidMedia');
  const name = err instanceof Error ? err.name : 'Error';
  if (name === 'InvalidDestinationError') return ApplicationFailure.nonRetryable(message, 'InvalidDestination');
  if (name === 'DestinationUnavailableError') return ApplicationFailure.nonRetryable(message, 'DestinationUnavailable');
  return ApplicationFailure.retryable(message, name);
}

/** Runs an activity body and converts whatever it throws. */
export async function withFailureMapping<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw toActivityFailure(err);
  }
}
