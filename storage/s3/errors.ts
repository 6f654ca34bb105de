/**
 * Turns errors of the AWS SDK into the storage layer's errors, by the S3 error code and HTTP
 * status the SDK reports (never by message text). Messages carry the object URI, the code and the
 * status only.
 */
import {
  accessDeniedError,
  ChecksumMismatchError,
  DestinationUnavailableError,
  missingHolderError,
  ObjectAlreadyExistsError,
  requestFailedError,
  RETRYABLE_HTTP_STATUSES,
  type StoreCall,
} from '../errors';

/** Codes S3 answers for a transient condition, whatever the status. */
const TRANSIENT_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'InternalError',
  'ServiceUnavailable',
  // Two conditional writes met at once: S3 asks for a retry.
  'ConditionalRequestConflict',
  'OperationAborted',
  // The multipart upload vanished (aborted by a sweep, or expired): the write must start again.
  'NoSuchUpload',
  'TimeoutError',
]);

/** The bucket is there but these credentials may not use it (or are not valid at all). */
const ACCESS_CODES = new Set([
  'AccessDenied',
  'AllAccessDisabled',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'AccountProblem',
]);

/** The store computed another checksum than the one sent with the bytes. */
const CHECKSUM_CODES = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch', 'XAmzContentChecksumMismatch']);

/** The SDK's error for "no credentials anywhere in the chain". */
const NO_CREDENTIALS = 'CredentialsProviderError';

export interface S3ErrorContext {
  bucket: string;
  relativePath: string;
  objectUri: string;
  /** What was being done, for the message: 'upload', 'stat', 'list', ... */
  operation: string;
  /** The ETag a replace expected. */
  expectedGeneration?: string;
}

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** HTTP status of an SDK error, when the service answered. */
export function s3StatusOf(err: unknown): number | undefined {
  const status = (err as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The S3 error code (`NoSuchBucket`, `PreconditionFailed`, ...) or the network error code. */
export function s3CodeOf(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as SdkErrorShape;
  for (const candidate of [e.Code, e.name, e.code]) if (typeof candidate === 'string' && candidate !== 'Error') return candidate;
  return undefined;
}

/** Whether the service says the object (or the bucket, for HEAD, which has no body to tell) is not there. */
export function isS3NotFound(err: unknown): boolean {
  const code = s3CodeOf(err);
  return s3StatusOf(err) === 404 && code !== 'NoSuchBucket' && code !== 'NoSuchUpload';
}

/** Maps an error raised by the S3 client (not by the source) to a storage-layer error. */
export function mapS3Error(err: unknown, ctx: S3ErrorContext): Error {
  const status = s3StatusOf(err);
  const code = s3CodeOf(err);
  const call: StoreCall = { store: `s3://${ctx.bucket}`, holder: 'bucket', objectUri: ctx.objectUri, operation: ctx.operation };
  const what = [code, status !== undefined ? `HTTP ${status}` : undefined].filter(Boolean).join(', ') || 'an unknown error';
  if (status === 412 || code === 'PreconditionFailed') return new ObjectAlreadyExistsError(ctx.relativePath, ctx.objectUri, ctx.expectedGeneration);
  if (code === 'NoSuchBucket') return missingHolderError(call, code);
  if (code === NO_CREDENTIALS) {
    return new DestinationUnavailableError(
      `${call.store} is not available: no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ` +
        `AWS_PROFILE, or run where a role is attached)`,
      call.store,
      code,
    );
  }
  if (status === 401 || status === 403 || (code !== undefined && ACCESS_CODES.has(code))) return accessDeniedError(call, what, status ?? code);
  if (code !== undefined && CHECKSUM_CODES.has(code)) {
    return new ChecksumMismatchError(`${ctx.objectUri}: the store received other bytes than were sent (${code}); nothing was stored`, ctx.relativePath);
  }
  const retryable = (code !== undefined && TRANSIENT_CODES.has(code)) || (status !== undefined ? RETRYABLE_HTTP_STATUSES.has(status) : true);
  return requestFailedError(call, what, status, code, retryable);
}
