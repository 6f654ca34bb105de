/**
 * Errors thrown by the storage layer, typed by what the caller must do about them.
 * Messages name the destination, bucket or object path; never credentials, tokens or upload URLs.
 */

/**
 * Thrown by `parseDestination` for a destination URI the project cannot use.
 * Caller: report it as bad input (exit code 2); retrying cannot help.
 */
export class InvalidDestinationError extends Error {
  override readonly name = 'InvalidDestinationError';
  constructor(
    message: string,
    /** The destination as the user typed it. */
    readonly input: string,
  ) {
    super(message);
  }
}

/**
 * Thrown by `writeObject`/`writeSmallObject` when the precondition did not hold: without
 * `replace`, an object already exists under that name; with `replace`, the stored version is no
 * longer the one given (another writer replaced or removed it). Nothing was written.
 * Caller: `stat` the object again and decide (skip it, or write again with `replace`).
 */
export class ObjectAlreadyExistsError extends Error {
  override readonly name = 'ObjectAlreadyExistsError';
  constructor(
    readonly relativePath: string,
    readonly objectUri: string,
    /** The generation that `replace` expected, when the write was a replace. */
    readonly expectedGeneration?: string,
  ) {
    super(
      expectedGeneration === undefined
        ? `${objectUri} already exists; write it with \`replace\` to overwrite it`
        : `${objectUri} is no longer generation ${expectedGeneration} (another writer replaced or removed it); stat it again`,
    );
  }
}

/**
 * Thrown (by the stream) by `readObject` when no object has that name, on every store.
 * Caller: the object is missing; `verify` reports it as such.
 */
export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  constructor(
    readonly relativePath: string,
    readonly objectUri: string,
  ) {
    super(`${objectUri} does not exist`);
  }
}

/**
 * Thrown by `writeObject` when the bytes stored differ from the bytes read: the checksum the
 * destination reports is not the one computed while streaming. Nothing is left visible.
 * Caller: the transfer was corrupted; retry it from the source.
 */
export class ChecksumMismatchError extends Error {
  override readonly name: string = 'ChecksumMismatchError';
  constructor(
    message: string,
    readonly relativePath: string,
  ) {
    super(message);
  }
}

/**
 * Thrown by `writeObject` when `expectedBytes` was given and the source ended early or delivered
 * more. A kind of integrity failure, so it extends ChecksumMismatchError. Nothing is left visible.
 * Caller: retry from the source (resume or download again).
 */
export class SizeMismatchError extends ChecksumMismatchError {
  override readonly name = 'SizeMismatchError';
  constructor(
    relativePath: string,
    readonly expectedBytes: number,
    readonly actualBytes: number,
    /** True when the source delivered more bytes than expected (the write stopped there). */
    readonly overflow: boolean,
  ) {
    super(
      overflow
        ? `${relativePath}: the source delivered more than the expected ${expectedBytes} bytes`
        : `${relativePath}: the source ended after ${actualBytes} of ${expectedBytes} expected bytes`,
      relativePath,
    );
  }
}

/**
 * Thrown when the destination itself cannot be used: the bucket does not exist, access is denied,
 * or a local root cannot be created or written. Caller: a configuration problem; fail the run
 * with this message rather than retrying each asset.
 */
export class DestinationUnavailableError extends Error {
  override readonly name = 'DestinationUnavailableError';
  constructor(
    message: string,
    /** `gs://bucket` or `file:///root`. */
    readonly destination: string,
    /** HTTP status (gs) or errno code (local), when known. */
    readonly reason?: string | number,
  ) {
    super(message);
  }
}

/**
 * Thrown when a request to the storage service failed for another reason (server error, network,
 * rate limit) after the client's own retries. The message has the object URI and the HTTP status
 * or error code only: never the request URL, which for a resumable upload grants write access.
 * Caller: retry later when `retryable`, else fail the asset.
 */
export class StorageRequestError extends Error {
  override readonly name = 'StorageRequestError';
  constructor(
    message: string,
    readonly objectUri: string,
    /** HTTP status, when the service answered. */
    readonly status: number | undefined,
    /** Error code (e.g. ECONNRESET), when there was no answer. */
    readonly code: string | undefined,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** HTTP statuses worth retrying later on any store (after its client's own retries); others are final for this attempt. */
export const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** What a store's error mapper knows of the call that failed. */
export interface StoreCall {
  /** `gs://bucket`, `s3://bucket`, `az://container`: the store as the user named it. */
  store: string;
  /** What the store holds objects in, for the message. */
  holder: 'bucket' | 'container';
  objectUri: string;
  /** What was being done: 'upload', 'stat', 'list', ... */
  operation: string;
}

/** The bucket or container does not exist: the user's to create, a configuration error. */
export function missingHolderError(call: StoreCall, what: string | number): DestinationUnavailableError {
  return new DestinationUnavailableError(
    `${call.store} is not available: the ${call.holder} does not exist ` +
      `(${typeof what === 'number' ? `HTTP ${what}` : what} on ${call.operation} of ${call.objectUri})`,
    call.store,
    what,
  );
}

/** The credentials were refused or do not grant access: a configuration error. */
export function accessDeniedError(call: StoreCall, what: string, reason: string | number | undefined): DestinationUnavailableError {
  return new DestinationUnavailableError(
    `${call.store} is not available: access denied (${what} on ${call.operation}); check the credentials and their permissions on the ${call.holder}`,
    call.store,
    reason,
  );
}

/** Any other failed request: retried later when `retryable`, else the asset fails. */
export function requestFailedError(
  call: StoreCall,
  what: string,
  status: number | undefined,
  code: string | undefined,
  retryable: boolean,
): StorageRequestError {
  return new StorageRequestError(`${call.operation} of ${call.objectUri} failed: ${what}`, call.objectUri, status, code, retryable);
}
