/**
 * The s3:// destination against the run's moto server (S3-compatible, path-style, any keys).
 *
 * What moto does differently from S3 (checked in "emulator facts" below, so a moto that changes
 * them makes this file say so):
 * - CopyObject ignores `If-None-Match` and `If-Match` on the destination, and
 *   CompleteMultipartUpload ignores `If-Match` (it honours `If-None-Match: *`). S3 answers 412 to
 *   each. A large object is published by a copy, so on moto the look just before the copy is all
 *   that stops a writer who lost the race (two writers meeting between that look and the copy
 *   could both succeed there, never on S3). PutObject honours both headers, like S3.
 * - No checksum sent with the bytes is verified (x-amz-checksum-crc32c, Content-MD5); S3 answers
 *   400 BadDigest. The ETag of a single PutObject is the MD5 of the bytes moto received, which the
 *   destination compares with its own, so that path is checked on moto too; a multipart object
 *   only by its size there.
 * - Every multipart upload is listed as initiated on 2010-11-10; the sweep goes by the time of the
 *   newest part, which moto reports truly.
 * - Without the optional `crc32c` Python package, checksums moto computes itself under the name
 *   CRC32C are CRC32s; the client therefore validates response checksums only when asked.
 * - User metadata whose name has an underscore is dropped (its server, like nginx by default,
 *   discards such header names); S3 keeps it. The destination sends '_' encoded.
 *
 * The behaviours every destination shares are in destination-contract.test.ts; this file keeps what
 * only s3:// has: the object as S3 holds it, one PutObject or parts and a copy, the temp key, its
 * own checksum comparison, the metadata limit, errors, the sweep, the client from the environment.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ChecksumMismatchError, DestinationUnavailableError, openDestination, parseDestination, StorageRequestError } from '../../storage';
import { S3Destination, type S3DestinationOptions } from '../../storage/s3/destination';
import { generatedSource, readAll } from '../support/generated-source';
import { pausedSource } from '../support/paused-source';
import { bucketKeys, newTestBucket, s3TestEnv, testS3Client } from '../support/s3';
import { createS3Client } from '../../storage/s3/client';

const MiB = 1024 * 1024;
const client = testS3Client();
const T = 'test_id=11111111-1111-4111-8111-111111111111';
const REL = `${T}/session_id=22222222-2222-4222-8222-222222222222/session.mp4`;

/** 5 MiB parts (S3's smallest), so that a few MiB make a multipart upload. */
async function newDestination(
  prefix = 'archive/ut',
  options: S3DestinationOptions = {},
  s3: S3Client = client,
): Promise<{ bucket: string; dest: S3Destination }> {
  const bucket = await newTestBucket(client, 'store');
  return { bucket, dest: new S3Destination({ scheme: 's3', bucket, prefix }, s3, { partSize: 5 * MiB, ...options }) };
}

async function openUploads(bucket: string): Promise<string[]> {
  const { Uploads } = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (Uploads ?? []).map((u) => u.Key!);
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const md5 = (b: Buffer) => createHash('md5').update(b).digest('base64');

describe('s3:// destination', () => {
  it('an object sent in parts as S3 holds it: content type, metadata names kebab-cased, our md5/crc32c beside them', async () => {
    const { bucket, dest } = await newDestination();
    const src = generatedSource(12 * MiB + 17);
    const stored = await dest.writeObject(REL, src.stream, { contentType: 'video/mp4', metadata: { testId: '1111', lastUpdatedAtMs: 1_700_000_000_000 } });
    const expected = await src.checksums;
    expect(stored.uri).toBe(`s3://${bucket}/archive/ut/${REL}`);
    expect(stored.generation).toMatch(/^"[0-9a-f]{32}(-\d+)?"$/);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `archive/ut/${REL}` }));
    expect(head.ContentType).toBe('video/mp4');
    expect(head.Metadata).toEqual({
      'test-id': '1111',
      'last-updated-at-ms': '1700000000000',
      'ut-media-md5': expected.md5,
      'ut-media-crc32c': expected.crc32c,
    });
  });

  it('sends an object that fits in one part as one PutObject; its ETag is the MD5 of what the store got', async () => {
    const { bucket, dest } = await newDestination('');
    const body = Buffer.from('WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n');
    const stored = await dest.writeObject('t/transcript.vtt', Readable.from([body]), {
      contentType: 'text/vtt',
      metadata: { kind: 'transcript' },
      expectedBytes: body.length,
    });
    expect(stored).toMatchObject({ uri: `s3://${bucket}/t/transcript.vtt`, bytes: body.length, md5: md5(body), metadata: { kind: 'transcript' } });
    expect(Buffer.from(stored.generation!.replace(/"/g, ''), 'hex').toString('base64')).toBe(md5(body));
    expect((await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 't/transcript.vtt' }))).ContentType).toBe('text/vtt');
  });

  it('mid-write, the parts go to a temp key under .ut-media-tmp/ named for its test folder (what the sweep goes by)', async () => {
    const { bucket, dest } = await newDestination();
    const src = pausedSource(11 * MiB, 8 * MiB);
    const write = dest.writeObject(REL, src.stream, { contentType: 'video/mp4', metadata: {} });
    try {
      await src.paused;
      const deadline = Date.now() + 20_000;
      while ((await openUploads(bucket)).length === 0 && Date.now() < deadline) await wait(50);
      expect(await openUploads(bucket)).toEqual([
        expect.stringMatching(/^archive\/ut\/\.ut-media-tmp\/test_id=11111111-1111-4111-8111-111111111111~session\.mp4\./),
      ]);
    } finally {
      src.resume();
    }
    await write;
    expect(await openUploads(bucket)).toEqual([]);
  });

  it("bytes altered on the way (the store's MD5 differs from ours) give ChecksumMismatchError and no object", async () => {
    const altering = createS3Client(s3TestEnv());
    altering.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body?: unknown };
        if (Buffer.isBuffer(request.body) && request.body.length > 0) {
          const copy = Buffer.from(request.body);
          copy[0] ^= 0xff;
          request.body = copy;
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'alterBody' },
    );
    const { bucket, dest } = await newDestination('p', {}, altering);
    const write = dest.writeObject(REL, generatedSource(600_000).stream, { contentType: 'video/mp4', metadata: {} });
    await expect(write).rejects.toThrow(ChecksumMismatchError);
    await expect(write).rejects.toThrow(/stored object differs from the bytes sent \(md5 .*\); it was removed/);
    expect(await bucketKeys(client, bucket)).toEqual([]);
  });

  it('publishes an object above the single-copy size by a multipart copy', async () => {
    const { bucket, dest } = await newDestination('p', { singleCopyMaxBytes: 6 * MiB });
    const src = generatedSource(13 * MiB + 5);
    const stored = await dest.writeObject(REL, src.stream, { contentType: 'video/mp4', metadata: { kind: 'video' } });
    expect(stored).toMatchObject({ ...(await src.checksums), metadata: { kind: 'video' } });
    expect(stored.generation).toMatch(/-3"$/);
    expect(await dest.stat(REL)).toEqual(stored);
    expect(md5(await readAll(dest.readObject(REL)))).toBe(stored.md5);
    expect(await bucketKeys(client, bucket)).toEqual([`p/${REL}`]);
    expect(await openUploads(bucket)).toEqual([]);
  });

  it("metadata over S3's 2 KB limit fails at once, retrying would not help", async () => {
    const { bucket, dest } = await newDestination();
    const write = dest.writeObject(REL, Readable.from([Buffer.from('x')]), { contentType: 'video/mp4', metadata: { description: 'é'.repeat(1500) } });
    await expect(write).rejects.toThrow(StorageRequestError);
    await expect(write).rejects.toMatchObject({ retryable: false, code: 'MetadataTooLarge' });
    expect(await bucketKeys(client, bucket)).toEqual([]);
  });

  it('a folder marker (a key ending in /, as consoles make) is not listed', async () => {
    const { bucket, dest } = await newDestination('p');
    await dest.writeSmallObject(`${T}/manifest.json`, '{}', { contentType: 'application/json' });
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `p/${T}/folder/`, Body: new Uint8Array(0) }));
    expect((await dest.list(T)).map((o) => o.relativePath)).toEqual([`${T}/manifest.json`]);
  });

  it('an object another tool wrote (no checksums of ours) is listed as incomplete', async () => {
    const { bucket, dest } = await newDestination('p');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `p/${REL}`, Body: 'foreign', Metadata: { kind: 'video' } }));
    expect(await dest.stat(REL)).toMatchObject({ bytes: 7, md5: '', crc32c: '', metadata: { kind: 'video' }, metadataComplete: false });
  });

  it('a missing bucket gives DestinationUnavailableError naming it', async () => {
    const dest = openDestination(parseDestination('s3://ut-media-no-such-bucket/x'), { s3: client });
    for (const expectedBytes of [undefined, MiB]) {
      const write = dest.writeObject(REL, generatedSource(expectedBytes ?? 16 * MiB).stream, { contentType: 'video/mp4', metadata: {}, expectedBytes });
      await expect(write).rejects.toThrow(DestinationUnavailableError);
      await expect(write).rejects.toThrow(/s3:\/\/ut-media-no-such-bucket .*does not exist/);
    }
    await expect(dest.list('')).rejects.toThrow(DestinationUnavailableError);
    await expect(dest.writeSmallObject('m.json', '{}', { contentType: 'application/json' })).rejects.toThrow(DestinationUnavailableError);
    await expect(dest.checkAvailable!()).rejects.toThrow(DestinationUnavailableError);
    await expect((await newDestination()).dest.checkAvailable!()).resolves.toBeUndefined();
    expect(await dest.stat(REL)).toBeUndefined();
  });

  it('sweeps what dead writers left (uploads and temp objects idle long enough, of the given folder only); live ones stay', async () => {
    const { bucket, dest } = await newDestination('p');
    const other = 'test_id=33333333-3333-4333-8333-333333333333';
    const dead = [`p/.ut-media-tmp/${T}~session.mp4.1.2.aa`, `p/${T}/highlight_reels/r.mp4`];
    const othersUpload = `p/.ut-media-tmp/${other}~session.mp4.1.2.bb`;
    // Uploads of other applications in the same bucket are never ours to abort, however idle.
    const notOurs = ['p/other-app/big.bin', 'elsewhere/big.bin'];
    for (const key of [...dead, othersUpload, ...notOurs]) {
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: 'part' }));
    }
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `p/.ut-media-tmp/${T}~clip.mp4.1.2.cc`, Body: 'temp' }));
    await wait(1500);
    // Quiet for 1.5 s: alive for a 60 s idle time.
    expect(await dest.sweepAbandonedWrites(60_000, T)).toBe(0);
    expect(await dest.sweepAbandonedWrites(1000, T)).toBe(3);
    expect((await openUploads(bucket)).sort()).toEqual([othersUpload, ...notOurs].sort());
    expect(await bucketKeys(client, bucket)).toEqual([]);
    expect(await dest.sweepAbandonedWrites(1000)).toBe(1);
    expect((await openUploads(bucket)).sort()).toEqual([...notOurs].sort());
  });

  it('openDestination builds the client from process.env (AWS_ENDPOINT_URL_S3 and the standard credentials) when none is injected', async () => {
    const bucket = await newTestBucket(client, 'env');
    const vars = s3TestEnv();
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    Object.assign(process.env, vars);
    try {
      const dest = openDestination(parseDestination(`s3://${bucket}/p`));
      await dest.writeSmallObject('m.json', '{}', { contentType: 'application/json' });
      expect(await dest.stat('m.json')).toMatchObject({ bytes: 2, metadataComplete: true });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('emulator facts (moto; S3 differs where noted)', () => {
  async function objectWith(bucket: string, key: string, body: string): Promise<string> {
    return (await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))).ETag!;
  }

  it('PutObject honours If-None-Match and If-Match, as S3 does', async () => {
    const bucket = await newTestBucket(client, 'facts');
    const etag = await objectWith(bucket, 'k', 'one');
    await expect(client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'two', IfNoneMatch: '*' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 412 },
    });
    await expect(client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'two', IfMatch: '"0"' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 412 },
    });
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'two', IfMatch: etag }));
  });

  it('CopyObject ignores If-None-Match and If-Match on the destination (S3: 412)', async () => {
    const bucket = await newTestBucket(client, 'facts');
    await objectWith(bucket, 'src', 'source');
    await objectWith(bucket, 'dst', 'there');
    await client.send(new CopyObjectCommand({ Bucket: bucket, Key: 'dst', CopySource: `${bucket}/src`, IfNoneMatch: '*' }));
    await client.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'dst', CopySource: `${bucket}/src`, IfMatch: '"0"', MetadataDirective: 'REPLACE', Metadata: { a: 'b' } }),
    );
    expect((await readAll((await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'dst' }))).Body as Readable)).toString()).toBe('source');
  });

  it('CompleteMultipartUpload honours If-None-Match: * but ignores If-Match (S3: 412 for both)', async () => {
    const bucket = await newTestBucket(client, 'facts');
    await objectWith(bucket, 'k', 'there');
    const complete = async (condition: { IfNoneMatch?: string; IfMatch?: string }) => {
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'k' }));
      const { ETag } = await client.send(new UploadPartCommand({ Bucket: bucket, Key: 'k', UploadId, PartNumber: 1, Body: 'new' }));
      return client.send(
        new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'k', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] }, ...condition }),
      );
    };
    await expect(complete({ IfNoneMatch: '*' })).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    await complete({ IfMatch: '"0"' });
  });

  it('verifies no checksum sent with the bytes (S3: 400 BadDigest); the ETag of a PutObject is the MD5 of what it got', async () => {
    const bucket = await newTestBucket(client, 'facts');
    const put = await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'k',
        Body: 'hello',
        ContentMD5: md5(Buffer.from('other')),
        ChecksumAlgorithm: 'CRC32C',
        ChecksumCRC32C: 'AAAAAA==',
      }),
    );
    expect(put.ETag).toBe(`"${createHash('md5').update('hello').digest('hex')}"`);
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'm', ChecksumAlgorithm: 'CRC32C' }));
    await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'm', UploadId, PartNumber: 1, Body: 'part', ChecksumAlgorithm: 'CRC32C', ChecksumCRC32C: 'AAAAAA==' }),
    );
  });

  it('drops user metadata whose name has an underscore (S3 keeps it)', async () => {
    const bucket = await newTestBucket(client, 'facts');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x', Metadata: { under_score: 'a', 'dash-ed': 'b' } }));
    expect((await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }))).Metadata).toEqual({ 'dash-ed': 'b' });
  });

  it('lists every multipart upload as initiated on 2010-11-10 (S3: the real time)', async () => {
    const bucket = await newTestBucket(client, 'facts');
    await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'k' }));
    const { Uploads } = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(Uploads?.[0].Initiated?.toISOString()).toBe('2010-11-10T20:48:33.000Z');
  });
});
