/**
 * Turns errors from @google-cloud/storage into the storage layer's errors, keeping request URLs
 * (a resumable upload's session URL grants write access) out of every message.
 */
import {
  accessDeniedError,
  ChecksumMismatchError,
  missingHolderError,
  ObjectAlreadyExistsError,
  requestFailedError,
  RETRYABLE_HTTP_STATUSES,
  StorageRequestError,
  type StoreCall,
} from '../errors';

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
  const call: StoreCall = { store: `gs://${ctx.bucket}`, holder: 'bucket', objectUri: ctx.objectUri, operation: ctx.operation };
  if (status === 412) return new ObjectAlreadyExistsError(ctx.relativePath, ctx.objectUri, ctx.expectedGeneration);
  if (status === 404 && ctx.uploadSessionStarted) {
    return new StorageRequestError(
      `${ctx.operation} of ${ctx.objectUri} failed: its upload session is gone (HTTP 404); the upload must start again`,
      ctx.objectUri,
      404,
      code,
      true,
    );
  }
  if (status === 404 && ctx.operation !== 'stat') return missingHolderError(call, 404);
  if (status === 401 || status === 403) return accessDeniedError(call, `HTTP ${status}`, status);
  if (code && CLIENT_CHECKSUM_CODES.has(code)) {
    return new ChecksumMismatchError(
      `${ctx.objectUri}: the checksum GCS reported differs from the one computed while uploading (${code}); the object was removed`,
      ctx.relativePath,
    );
  }
  const what = status !== undefined ? `HTTP ${status}` : (code ?? 'an unknown error');
  return requestFailedError(call, what, status, code, status !== undefined ? RETRYABLE_HTTP_STATUSES.has(status) : true);
}
