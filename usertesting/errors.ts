/**
 * Errors of the Results API client, typed by what the caller must do. Messages never contain a
 * token or a signed link (see redact.ts); activities map them to Temporal failures.
 */
export type ApiOperation =
  | 'listSessions'
  | 'listReels'
  | 'reelDetail'
  | 'listClips'
  | 'clipDetail'
  | 'videoDownloadUrl'
  | 'transcript'
  | 'sessionDetails'
  | 'qxScores'
  | 'token'
  | 'media';

export abstract class UserTestingError extends Error {
  abstract readonly action: 'retry-later' | 'refresh-token' | 'give-up' | 'skip' | 'fresh-link';
  constructor(
    message: string,
    readonly operation: ApiOperation,
    readonly status?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 429: wait `retryAfterMs` (from x-ratelimit-reset) before the next request. */
export class RateLimitedError extends UserTestingError {
  readonly action = 'retry-later';
  constructor(
    operation: ApiOperation,
    readonly retryAfterMs: number,
  ) {
    super(`${operation}: rate limited (429), budget resets in ${Math.ceil(retryAfterMs / 1000)} s`, operation, 429);
  }
}

/** 401 from the API: the token expired or was revoked; get a new one and try again. */
export class UnauthorizedError extends UserTestingError {
  readonly action = 'refresh-token';
  constructor(operation: ApiOperation) {
    super(`${operation}: the API rejected the access token (401)`, operation, 401);
  }
}

/** The token endpoint refused the client credentials: no retry fixes that. */
export class InvalidCredentialsError extends UserTestingError {
  readonly action = 'give-up';
  constructor(status: number, detail: string) {
    super(`token endpoint refused the client credentials (${status}${detail ? `: ${detail}` : ''})`, 'token', status);
  }
}

/** 400: the request itself is wrong; retrying cannot help. */
export class BadRequestError extends UserTestingError {
  readonly action = 'give-up';
  constructor(operation: ApiOperation, detail: string) {
    super(`${operation}: bad request (400)${detail ? `: ${detail}` : ''}`, operation, 400);
  }
}

/** 404: on a media endpoint it usually means the session's product type has no such asset. */
export class NotFoundError extends UserTestingError {
  readonly action = 'skip';
  constructor(operation: ApiOperation, what: string) {
    super(`${operation}: ${what} not found (404)`, operation, 404);
  }
}

/** 5xx, a network failure or an unexpected status: retry with backoff. */
export class TransientApiError extends UserTestingError {
  readonly action = 'retry-later';
}

/** The answer did not match the published schema. */
export class InvalidResponseError extends UserTestingError {
  readonly action = 'give-up';
}

/**
 * The link cannot be used any more: the store answered 403 "Request has expired", or the media host
 * stayed unreachable until the link was about to expire. Ask the API for a fresh one.
 */
export class LinkExpiredError extends UserTestingError {
  readonly action = 'fresh-link';
  constructor(reason = 'the pre-signed download link has expired (403 AccessDenied)') {
    super(`${reason}; a fresh link is needed`, 'media', 403);
  }
}

/** The media host (where signed links point) could not be reached for longer than allowed: the asset fails; the next run tries again. */
export class MediaHostUnreachableError extends UserTestingError {
  readonly action = 'give-up';
  constructor(cause: string, forMs: number) {
    super(`media host unreachable: ${cause} (for ${Math.round(forMs / 1000)} s); the next run tries again`, 'media');
  }
}

/** A download that could not complete (refused range, repeated cuts, wrong length). */
export class MediaTransferError extends UserTestingError {
  readonly action = 'retry-later';
}
