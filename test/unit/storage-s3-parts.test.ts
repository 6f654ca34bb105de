import fc from 'fast-check';
import { ListMultipartUploadsCommand, ListObjectsV2Command, ListPartsCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { ChecksumMismatchError, DestinationUnavailableError, ObjectAlreadyExistsError, StorageRequestError } from '../../storage';
import { fitMetadata } from '../../activities/metadata-limits';
import { s3ClientConfig, s3EndpointFromEnv } from '../../storage/s3/client';
import { mapS3Error } from '../../storage/s3/errors';
import { sweepAbandonedWrites } from '../../storage/s3/sweep';
import {
  decodeMetadataKey,
  encodeMetadataKey,
  fromS3Metadata,
  S3_METADATA_BUDGET_BYTES,
  S3_METADATA_LIMIT_BYTES,
  s3MetadataBytes,
  toS3Metadata,
} from '../../storage/s3/metadata';

describe('S3 client configuration', () => {
  it('takes the endpoint from AWS_ENDPOINT_URL_S3 (else AWS_ENDPOINT_URL) and then addresses buckets path-style', () => {
    expect(s3EndpointFromEnv({})).toBeUndefined();
    expect(s3EndpointFromEnv({ AWS_ENDPOINT_URL: 'http://a:1' })).toBe('http://a:1');
    expect(s3EndpointFromEnv({ AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://s3:2' })).toBe('http://s3:2');
    expect(s3EndpointFromEnv({ AWS_ENDPOINT_URL_S3: 'http://s3:2', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toBeUndefined();
    expect(s3ClientConfig({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000', AWS_REGION: 'eu-west-1' })).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      region: 'eu-west-1',
    });
    const aws = s3ClientConfig({ AWS_REGION: 'eu-west-1' });
    expect(aws.endpoint).toBeUndefined();
    expect(aws.forcePathStyle).toBeUndefined();
  });

  it('uses keys given in the env, else leaves credentials to the SDK chain; a missing region falls back instead of failing', async () => {
    expect(s3ClientConfig({ AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' }).credentials).toEqual({
      accessKeyId: 'AKIA',
      secretAccessKey: 's',
      sessionToken: 't',
    });
    expect(s3ClientConfig({}).credentials).toBeUndefined();
    const saved = {
      region: process.env.AWS_REGION,
      fallback: process.env.AWS_DEFAULT_REGION,
      config: process.env.AWS_CONFIG_FILE,
      profile: process.env.AWS_PROFILE,
    };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    delete process.env.AWS_PROFILE;
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    try {
      const region = s3ClientConfig({}).region as () => Promise<string>;
      await expect(region()).resolves.toBe('us-east-1');
    } finally {
      for (const [name, value] of [
        ['AWS_REGION', saved.region],
        ['AWS_DEFAULT_REGION', saved.fallback],
        ['AWS_CONFIG_FILE', saved.config],
        ['AWS_PROFILE', saved.profile],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe('S3 user metadata', () => {
  it('stores names kebab-cased (no underscore) and non-ASCII values RFC 2047-encoded, and reads both back exactly', () => {
    const metadata = {
      kind: 'clip',
      lastUpdatedAtMs: '17',
      name: 'Café ☕',
      note: '',
      padded: ' x ',
      trick: '=?UTF-8?B?eA==?=',
      'odd-key': 'v',
      under_score: 'u',
    };
    const stored = toS3Metadata(metadata, { md5: 'bWQ1', crc32c: 'Y3Jj' });
    expect(stored).toMatchObject({
      kind: 'clip',
      'last-updated-at-ms': '17',
      name: '=?UTF-8?B?Q2Fmw6kg4piV?=',
      'ut-media-md5': 'bWQ1',
      'ut-media-crc32c': 'Y3Jj',
    });
    for (const [k, v] of Object.entries(stored)) {
      expect(k).toMatch(/^[a-z0-9.-]+$/);
      expect(v).toMatch(/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/);
    }
    // HTTP lower-cases names on the way back; our checksums come apart from the caller's metadata.
    const back = fromS3Metadata(Object.fromEntries(Object.entries(stored).map(([k, v]) => [k.toUpperCase(), v])));
    expect(back).toEqual({ metadata, checksums: { md5: 'bWQ1', crc32c: 'Y3Jj' } });
    expect(fromS3Metadata({ kind: 'x' })).toEqual({ metadata: { kind: 'x' } });
    // As earlier versions stored underscores.
    expect(fromS3Metadata({ under_score: 'u' })).toEqual({ metadata: { under_score: 'u' } });
  });

  it('any name and value round-trips', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 40 })), (metadata) => {
        delete metadata.utMediaMd5;
        delete metadata.utMediaCrc32c;
        const stored = toS3Metadata(metadata);
        expect(Object.keys(stored).every((k) => decodeMetadataKey(encodeMetadataKey(decodeMetadataKey(k))) === decodeMetadataKey(k))).toBe(true);
        expect(fromS3Metadata(stored).metadata).toEqual(metadata);
      }),
    );
  });

  it("metadata cut to the s3 budget fits S3's 2 KB as stored, multi-byte text and checksums included", () => {
    const description = 'ĉŝ☕ '.repeat(3000);
    const m = {
      kind: 'clip',
      testId: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
      sessionId: '41f72104-5f84-44fa-a16a-03f5751596ec',
      clipId: '8fdc898f-3b2b-4f45-91a2-2a6b618bc987',
      name: 'Ünïcode '.repeat(40),
      description,
      lastUpdatedAtMs: '1700000000000',
      downloadedAt: '2026-01-01T00:00:00.000Z',
      sourceBytes: '123456789',
      durationMs: '60000',
      timeStartMs: '1000',
      timeEndMs: '61000',
      videoUuid: '8fdc898f-3b2b-4f45-91a2-2a6b618bc988',
    };
    const { metadata } = fitMetadata(m, S3_METADATA_BUDGET_BYTES);
    expect(metadata.truncatedFields).toBeDefined();
    expect(s3MetadataBytes(toS3Metadata(metadata, { md5: 'x'.repeat(24), crc32c: 'x'.repeat(8) }))).toBeLessThanOrEqual(S3_METADATA_LIMIT_BYTES);
  });
});

describe('mapS3Error', () => {
  const ctx = { bucket: 'bkt', relativePath: 'a/b.mp4', objectUri: 's3://bkt/p/a/b.mp4', operation: 'upload' };
  const sdkError = (name: string, status: number | undefined, fault: 'client' | 'server' = 'client') =>
    new S3ServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: `${name} (a message never read)` });

  it.each([
    ['NoSuchBucket', 404, DestinationUnavailableError, /s3:\/\/bkt is not available: the bucket does not exist/],
    ['AccessDenied', 403, DestinationUnavailableError, /s3:\/\/bkt is not available: access denied \(AccessDenied, HTTP 403 on upload\)/],
    ['InvalidAccessKeyId', 403, DestinationUnavailableError, /access denied/],
    ['PreconditionFailed', 412, ObjectAlreadyExistsError, /already exists/],
    ['BadDigest', 400, ChecksumMismatchError, /received other bytes than were sent \(BadDigest\)/],
  ])('%s (HTTP %s) -> %p', (name, status, type, message) => {
    const err = mapS3Error(sdkError(name, status), ctx);
    expect(err).toBeInstanceOf(type);
    expect(err.message).toMatch(message);
  });

  it.each([
    ['SlowDown', 503, true],
    ['InternalError', 500, true],
    ['ConditionalRequestConflict', 409, true],
    ['NoSuchUpload', 404, true],
    ['RequestTimeout', 400, true],
    ['InvalidArgument', 400, false],
    ['EntityTooLarge', 400, false],
    ['InvalidObjectState', 409, false],
  ])('%s (HTTP %s) -> StorageRequestError, retryable: %s', (name, status, retryable) => {
    const err = mapS3Error(sdkError(name, status), ctx);
    expect(err).toBeInstanceOf(StorageRequestError);
    expect(err).toMatchObject({ retryable, status, code: name, objectUri: ctx.objectUri });
  });

  it('a network error (no answer) is retryable; no credentials anywhere is the destination unavailable', () => {
    expect(mapS3Error(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), ctx)).toMatchObject({ retryable: true, code: 'ECONNRESET' });
    expect(mapS3Error(Object.assign(new Error('whatever'), { name: 'TimeoutError' }), ctx)).toMatchObject({ retryable: true });
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(mapS3Error(noCredentials, ctx)).toBeInstanceOf(DestinationUnavailableError);
  });

  it('a replace that lost names the ETag it expected', () => {
    expect(mapS3Error(sdkError('PreconditionFailed', 412), { ...ctx, expectedGeneration: '"abc"' }).message).toMatch(/no longer generation "abc"/);
  });
});

describe('sweeping abandoned writes', () => {
  const denied = () => new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'denied' });

  it('credentials that may not list uploads (or their parts) do not fail the run: those are left to a lifecycle rule', async () => {
    const sent: string[] = [];
    const fake = (listUploads: 'denied' | 'one') =>
      ({
        send: async (command: object) => {
          sent.push(command.constructor.name);
          if (command instanceof ListMultipartUploadsCommand) {
            if (listUploads === 'denied') throw denied();
            return { Uploads: [{ Key: 'p/test_id=a/x.mp4', UploadId: 'u', Initiated: new Date() }] };
          }
          if (command instanceof ListPartsCommand) throw denied();
          if (command instanceof ListObjectsV2Command) return { Contents: [] };
          throw new Error(`unexpected ${command.constructor.name}`);
        },
      }) as unknown as S3Client;
    await expect(sweepAbandonedWrites(fake('denied'), { bucket: 'b', prefix: 'p', idleMs: 1000 })).resolves.toBe(0);
    // Parts unseen: the upload counts as moving since it started (just now), so it stays.
    await expect(sweepAbandonedWrites(fake('one'), { bucket: 'b', prefix: 'p', idleMs: 60_000 })).resolves.toBe(0);
    expect(sent).toEqual(['ListMultipartUploadsCommand', 'ListObjectsV2Command', 'ListMultipartUploadsCommand', 'ListPartsCommand', 'ListObjectsV2Command']);
  });
});
