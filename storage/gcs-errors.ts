/**
 * Turns errors from @google-cloud/storage into the storage layer's errors, keeping request URLs
 * (a resumable upload's session URL grants write access) out of every message.
 */
import {
  ChecksumMismatchError,
  DestinationUnavailableError,
  ObjectAlreadyExistsError,
  StorageRequestError,
} from './errors';

/** Statuses worth retrying later; everything else is final for this attempt. */
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** Error codes the client uses when its own post-upload checksum comparison fails. */
const CLIENT_CHECKSUM_CODES = new Set(['FILE_NO_UPLOAD', 'FILE_NO_UPLOAD_DELETE', 'CONTENT_DOWNLOAD_MISMATCH']);

/** HTTP status of a client error: ApiError.code, GaxiosError.response.status or .status. */
export function httpStatusOf(err: unknown): number | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const candidate of [e.code, e.response?.status, e.status]) {
    if (typeof candidate === 'number' && candidate >= 100 && candidate < 600) return candidate;
    if (typeof candidate === 'string' && /^[1-5]\d\d$/.test(candidate)) return Number(candidate);
  }
  return undefined;
}

function errorCodeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

export interface GcsErrorContext {
  bucket: string;
  relativePath: string;
  objectUri: string;
  /** What was being done, for the message: 'upload', 'stat', 'list', ... */
  operation: string;
  /** The generation a replace expected. */
  expectedGeneration?: string;
  /** A resumable upload session existed: a 404 then means the session is gone, not the bucket. */
  uploadSessionStarted?: boolean;
}

/** Maps an error raised by the GCS client (not by the source) to a storage-layer error. */
export function mapGcsError(err: unknown, ctx: GcsErrorContext): Error {
  const status = httpStatusOf(err);
  const code = errorCodeOf(err);
  if (status === 412) return new ObjectAlreadyExistsError(ctx.relativePath, ctx.objectUri, ctx.expectedGeneration);
  if (status === 404 && ctx.uploadSessionStarted) {
    return new StorageRequestError(`${ctx.operation} of ${ctx.objectUri} failed: its upload session is gone (HTTP 404); the upload must start again`, ctx.objectUri, 404, code, true);
  }
  if (status === 404 && ctx.operation !== 'stat') {
    return new DestinationUnavailableError(
      `gs://${ctx.bucket} is not available: the bucket does not exist (HTTP 404 on ${ctx.operation} of ${ctx.objectUri})`,
      `gs://${ctx.bucket}`,
      404,
    );
  }
  if (status === 401 || status === 403) {
    return new DestinationUnavailableError(
      `gs://${ctx.bucket} is not available: access denied (HTTP ${status} on ${ctx.operation}); check the credentials' permissions on the bucket`,
      `gs://${ctx.bucket}`,
      status,
    );
  }
  if (code && CLIENT_CHECKSUM_CODES.has(code)) {
    return new ChecksumMismatchError(
      `${ctx.objectUri}: the checksum GCS reported differs from the one computed while uploading (${code}); the object was removed`,
      ctx.relativePath,
    );
  }
  const what = status !== undefined ? `HTTP ${status}` : (code ?? 'an unknown error');
  const retryable = status !== undefined ? RETRYABLE_STATUSES.has(status) : true;
  return new StorageRequestError(`${ctx.operation} of ${ctx.objectUri} failed: ${what}`, ctx.objectUri, status, code, retryable);
}
