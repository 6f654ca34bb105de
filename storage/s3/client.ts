/**
 * Builds the S3 client from the environment, the way the AWS SDK and CLI read it: credentials from
 * the standard chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, web identity,
 * container and instance roles), the region from AWS_REGION or the profile, and an S3-compatible
 * endpoint from AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL), addressed path-style
 * (`http://host:port/bucket/key`) since such servers rarely resolve `bucket.host` names.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } from '@smithy/core/config';
import { Crc32c } from '../crc32c';
import { DEFAULT_STALL_TIMEOUT_MS } from '../stall-watchdog';

/** Used when neither the environment nor the profile names a region; S3 redirects to the bucket's own. */
const FALLBACK_REGION = 'us-east-1';

export interface S3ClientOptions {
  /**
   * A request whose connection moves no byte for this long (a request never answered) fails; the
   * SDK retries it, then the write fails as retryable.
   * @default 120000
   */
  stallTimeoutMs?: number;
}

/**
 * The SDK's checksum interface over the native CRC32C: the SDK's own is table-driven JavaScript
 * and would cap every part upload far below the network.
 */
class NativeCrc32cChecksum {
  private crc = new Crc32c();

  update(data: Uint8Array): void {
    this.crc.update(data);
  }

  async digest(): Promise<Uint8Array> {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.crc.value(), 0);
    return out;
  }

  reset(): void {
    this.crc = new Crc32c();
  }
}

/** The custom endpoint the environment configures for S3, or undefined for AWS itself. */
export function s3EndpointFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim().toLowerCase() === 'true') return undefined;
  const value = (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL)?.trim();
  return value || undefined;
}

/** The SDK's own region lookup (AWS_REGION, the profile's `region`), else the fallback rather than an error at the first request. */
function regionOfProfileOrFallback(): () => Promise<string> {
  const lookup = loadConfig(NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS);
  return async () => (await lookup().catch(() => undefined)) || FALLBACK_REGION;
}

/** Client configuration from `env`; exported for tests. */
export function s3ClientConfig(env: NodeJS.ProcessEnv = process.env, options: S3ClientOptions = {}): S3ClientConfig {
  const endpoint = s3EndpointFromEnv(env);
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  return {
    region: region || regionOfProfileOrFallback(),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // Keys given in `env` are used as they are; otherwise the SDK's default chain reads process.env and the profiles.
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN?.trim() || undefined } } : {}),
    followRegionRedirects: true,
    checksumAlgorithms: { CRC32C: NativeCrc32cChecksum },
    // Reads are checked where it matters (verify hashes every byte against the manifest); checking
    // them against whatever checksum a store reports would fail on emulators that mislabel theirs
    // (moto without its optional crc32c package reports a CRC32 as the CRC32C).
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 10_000, socketTimeout: options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS },
  };
}

/** One client per process serves every s3:// destination. */
export function createS3Client(env: NodeJS.ProcessEnv = process.env, options: S3ClientOptions = {}): S3Client {
  return new S3Client(s3ClientConfig(env, options));
}
