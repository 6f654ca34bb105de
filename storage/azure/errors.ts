/**
 * Turns errors from @azure/storage-blob (RestError) and @azure/identity into the storage layer's
 * errors, by HTTP status and Azure error code, never by message text. Messages name the object
 * and the code only: never a request URL (it may carry a SAS token).
 */
import {
  accessDeniedError,
  ChecksumMismatchError,
  DestinationUnavailableError,
  missingHolderError,
  ObjectAlreadyExistsError,
  requestFailedError,
  RETRYABLE_HTTP_STATUSES,
  StorageRequestError,
  type StoreCall,
} from '../errors';

/** The container is not there: the user's to create (a configuration error, like a missing bucket). */
const MISSING_CONTAINER_CODES = new Set(['ContainerNotFound', 'ContainerBeingDeleted', 'ContainerDisabled']);

/** The credentials cannot be used or do not grant access: a configuration error. */
const ACCESS_CODES = new Set([
  'AuthenticationFailed',
  'AuthorizationFailure',
  'AuthorizationPermissionMismatch',
  'AuthorizationResourceTypeMismatch',
  'AuthorizationProtocolMismatch',
  'AuthorizationSourceIPMismatch',
  'AuthorizationServiceMismatch',
  'InsufficientAccountPermissions',
  'AccountIsDisabled',
  'KeyBasedAuthenticationNotPermitted',
]);

/** A precondition (If-None-Match: * or If-Match: <etag>) did not hold: someone else's version is there. */
const PRECONDITION_CODES = new Set(['BlobAlreadyExists', 'ConditionNotMet']);

/** @azure/identity's errors when no credential of the default chain works. */
const CREDENTIAL_ERROR_NAMES = new Set(['CredentialUnavailableError', 'AuthenticationError', 'AggregateAuthenticationError', 'AuthenticationRequiredError']);

interface RestErrorLike {
  statusCode?: unknown;
  code?: unknown;
  details?: { errorCode?: unknown };
}

export function azureStatusOf(err: unknown): number | undefined {
  const status = (err as RestErrorLike | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The Azure error code (`BlobNotFound`, `ConditionNotMet`, ...) or a network code (`ECONNRESET`).
 * A HEAD request has no body: its code comes from the x-ms-error-code header, in `details`.
 */
export function azureErrorCodeOf(err: unknown): string | undefined {
  const e = err as RestErrorLike | undefined;
  for (const candidate of [e?.code, e?.details?.errorCode]) if (typeof candidate === 'string' && candidate) return candidate;
  return undefined;
}

export interface AzureErrorContext {
  /** `az://container` or `https://<account>.blob.core.windows.net/container`. */
  container: string;
  relativePath: string;
  objectUri: string;
  /** 'upload', 'stat', 'list', ... */
  operation: string;
  /** The ETag a replace expected. */
  expectedGeneration?: string;
}

/** Maps an error raised by the Azure clients (not by the source) to a storage-layer error. */
export function mapAzureError(err: unknown, ctx: AzureErrorContext): Error {
  if (
    err instanceof StorageRequestError ||
    err instanceof DestinationUnavailableError ||
    err instanceof ObjectAlreadyExistsError ||
    err instanceof ChecksumMismatchError
  )
    return err;
  const status = azureStatusOf(err);
  const code = azureErrorCodeOf(err);
  const name = err instanceof Error ? err.name : undefined;
  const call: StoreCall = { store: ctx.container, holder: 'container', objectUri: ctx.objectUri, operation: ctx.operation };
  if (name && CREDENTIAL_ERROR_NAMES.has(name)) {
    return new DestinationUnavailableError(
      `${ctx.container} is not available: no Azure credential could be obtained (${name}); ` +
        `set AZURE_STORAGE_CONNECTION_STRING or sign in for the default credential chain`,
      ctx.container,
      name,
    );
  }
  if (code && MISSING_CONTAINER_CODES.has(code)) return missingHolderError(call, code);
  if ((code && ACCESS_CODES.has(code)) || status === 401 || status === 403) return accessDeniedError(call, code ?? `HTTP ${status}`, code ?? status);
  if ((code && PRECONDITION_CODES.has(code)) || (status === 412 && code === undefined)) {
    return new ObjectAlreadyExistsError(ctx.relativePath, ctx.objectUri, ctx.expectedGeneration);
  }
  if (code === 'Md5Mismatch' || code === 'Crc64Mismatch') {
    return new ChecksumMismatchError(`${ctx.objectUri}: Azure refused the bytes sent (${code}): they changed on the way; nothing was stored`, ctx.relativePath);
  }
  const what = [status !== undefined ? `HTTP ${status}` : undefined, code].filter(Boolean).join(' ') || 'an unknown error';
  // InvalidBlockList: the staged blocks are gone (discarded by another writer's commit, or expired); a new write stages them again.
  const retryable = status !== undefined ? RETRYABLE_HTTP_STATUSES.has(status) || code === 'InvalidBlockList' : true;
  return requestFailedError(call, what, status, code, retryable);
}
