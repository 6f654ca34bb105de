/**
 * The gs:// destination against the run's fake-gcs-server (v1.52 from the bundled wrapper).
 *
 * What the emulator does differently from a real bucket (checked in "emulator facts" below, so a
 * newer emulator that changes them makes this file say so):
 * - Resumable uploads ignore `ifGenerationMatch` (both 0 and a stale generation are accepted). A
 *   real bucket enforces it atomically when the upload finalizes. The destination's check before
 *   the upload is all that protects a resumable write on the emulator: two writers racing between
 *   that check and the finalize could both succeed there, never on GCS.
 * - Simple (multipart) uploads do honour `ifGenerationMatch` with 412, like GCS.
 * - Resumable uploads lose their contentType (reported as application/octet-stream); the
 *   destination patches it back (a no-op on GCS, which keeps it).
 * - A client-supplied crc32c is not validated (it stores and reports its own); GCS rejects a
 *   mismatch with 400. The destination compares the reported checksums with its own either way.
 * - The bare STORAGE_EMULATOR_HOST variable breaks @google-cloud/storage 7.x (see storage/gcs/client.ts).
 * - md5Hash, crc32c, generation and custom metadata are reported as GCS reports them.
 *
 * The behaviours every destination shares are in destination-contract.test.ts; this file keeps what
 * only gs:// has: the object as GCS holds it, its own checksum comparison, errors, the emulator
 * variable, and the emulator facts.
 */
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { File, Storage, type CreateWriteStreamOptions } from '@google-cloud/storage';
import { ChecksumMismatchError, createGcsClient, DestinationUnavailableError, openDestination, parseDestination, type Destination } from '../../storage';
import { GcsDestination } from '../../storage/gcs/destination';
import { generatedSource, readAll } from '../support/generated-source';
import { harnessValue } from '../support/harness-env';

const gcsUrl = harnessValue('gcsUrl');
const storage = createGcsClient({ STORAGE_EMULATOR_HOST: gcsUrl });
const REL = 'test_id=11111111-1111-4111-8111-111111111111/session_id=22222222-2222-4222-8222-222222222222/session.mp4';
let counter = 0;

async function newBucket(): Promise<string> {
  const name = `ut-media-storage-${process.pid}-${Date.now().toString(36)}-${counter++}`;
  await storage.createBucket(name);
  return name;
}

/** A destination with 256 KiB chunks so that a few MiB make a multi-request resumable upload. */
async function newDestination(prefix = 'archive/ut'): Promise<{ bucket: string; dest: Destination }> {
  const bucket = await newBucket();
  return { bucket, dest: new GcsDestination({ scheme: 'gs', bucket, prefix }, storage, { chunkSize: 256 * 1024 }) };
}

async function objectNames(bucket: string): Promise<string[]> {
  const [files] = await storage.bucket(bucket).getFiles();
  return files.map((f) => f.name);
}

describe('gs:// destination', () => {
  it.each([
    ['resumable, in chunks', 3 * 1024 * 1024 + 17, undefined],
    ['simple, one request', 1000, 1000],
  ])('an object as GCS holds it (%s): its md5Hash and crc32c are ours, with its content type and custom metadata', async (_kind, bytes, expectedBytes) => {
    const { bucket, dest } = await newDestination();
    const src = generatedSource(bytes);
    const stored = await dest.writeObject(REL, src.stream, { contentType: 'video/mp4', metadata: { testId: '1111', durationMs: 60000 }, expectedBytes });
    const expected = await src.checksums;
    expect(stored.uri).toBe(`gs://${bucket}/archive/ut/${REL}`);
    expect(stored.generation).toMatch(/^\d+$/);
    const [metadata] = await storage.bucket(bucket).file(`archive/ut/${REL}`).getMetadata();
    // The emulator drops a resumable upload's content type; the destination sets it again.
    expect(metadata).toMatchObject({
      md5Hash: expected.md5,
      crc32c: expected.crc32c,
      contentType: 'video/mp4',
      metadata: { testId: '1111', durationMs: '60000' },
    });
  });

  it('bytes altered on the way (server checksum differs from ours) give ChecksumMismatchError and no object', async () => {
    const { bucket, dest } = await newDestination();
    const original = File.prototype.createWriteStream;
    const spy = jest.spyOn(File.prototype, 'createWriteStream').mockImplementation(function (this: File, opts?: CreateWriteStreamOptions) {
      const real = original.call(this, opts);
      let flipped = false;
      return new Writable({
        write(chunk: Buffer, _enc, cb) {
          const copy = Buffer.from(chunk);
          if (!flipped) {
            copy[0] ^= 0xff;
            flipped = true;
          }
          real.write(copy, cb);
        },
        final(cb) {
          real.once('error', cb).once('finish', () => cb());
          real.end();
        },
        destroy(err, cb) {
          real.destroy(err ?? undefined);
          cb(err);
        },
      });
    });
    try {
      const write = dest.writeObject(REL, generatedSource(600_000).stream, { contentType: 'video/mp4', metadata: {} });
      await expect(write).rejects.toThrow(ChecksumMismatchError);
      // Caught by our comparison (the client's own check hashes the altered bytes, so it agrees).
      await expect(write).rejects.toThrow(/stored object differs from the bytes sent \(md5 .* crc32c .*\); it was removed/);
    } finally {
      spy.mockRestore();
    }
    expect(await objectNames(bucket)).toEqual([]);
  });

  it('a missing bucket gives DestinationUnavailableError naming it', async () => {
    const dest = openDestination(parseDestination('gs://ut-media-no-such-bucket/x'), { storage });
    // Mid-stream (the source is still sending when the upload fails), resumable and simple.
    for (const expectedBytes of [undefined, 1024 * 1024]) {
      const write = dest.writeObject(REL, generatedSource(expectedBytes ?? 16 * 1024 * 1024).stream, { contentType: 'video/mp4', metadata: {}, expectedBytes });
      await expect(write).rejects.toThrow(DestinationUnavailableError);
      await expect(write).rejects.toThrow(/gs:\/\/ut-media-no-such-bucket .*does not exist/);
    }
    await expect(dest.list('')).rejects.toThrow(DestinationUnavailableError);
    await expect(dest.checkAvailable!()).rejects.toThrow(DestinationUnavailableError);
    await expect((await newDestination()).dest.checkAvailable!()).resolves.toBeUndefined();
    expect(await dest.stat(REL)).toBeUndefined();
  });
});

describe('STORAGE_EMULATOR_HOST', () => {
  const hostPort = gcsUrl.replace(/^http:\/\//, '');

  it.each([gcsUrl, hostPort, `${gcsUrl}/`])('createGcsClient works with %s', async (value) => {
    const client = createGcsClient({ STORAGE_EMULATOR_HOST: value });
    const name = `ut-media-emu-${counter++}-${Date.now().toString(36)}`;
    await client.createBucket(name);
    const dest = openDestination(parseDestination(`gs://${name}`), { storage: client });
    await dest.writeObject('a.txt', Readable.from([Buffer.from('hi')]), { contentType: 'text/plain', metadata: {} });
    expect((await readAll(dest.readObject('a.txt'))).toString()).toBe('hi');
  });

  it('openDestination builds the client from process.env when none is injected', async () => {
    const bucket = await newBucket();
    const saved = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = hostPort;
    try {
      const dest = openDestination(parseDestination(`gs://${bucket}/p`));
      await dest.writeSmallObject('m.json', '{}', { contentType: 'application/json' });
      expect(await dest.stat('m.json')).toMatchObject({ bytes: 2 });
    } finally {
      if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = saved;
    }
  });

  it('emulator fact: the client left to read the variable itself loses /storage/v1 (404)', async () => {
    const saved = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = gcsUrl;
    try {
      const raw = new Storage({ projectId: 'p', retryOptions: { autoRetry: false } });
      expect(raw.baseUrl).toBe(gcsUrl);
      await expect(raw.createBucket(`ut-media-raw-${Date.now().toString(36)}`)).rejects.toMatchObject({ code: 404 });
    } finally {
      if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = saved;
    }
  });
});

describe('emulator facts (fake-gcs-server; a real bucket differs where noted)', () => {
  const upload = (file: File, body: string, opts: CreateWriteStreamOptions) => pipeline(Readable.from([Buffer.from(body)]), file.createWriteStream(opts));

  it('resumable uploads ignore ifGenerationMatch and drop contentType; simple uploads honour both', async () => {
    const bucket = storage.bucket(await newBucket());
    const file = bucket.file('obj');
    await upload(file, 'one', { resumable: true, metadata: { contentType: 'video/mp4', metadata: { k: 'v' } } });
    const [m1] = await file.getMetadata();
    expect(m1.contentType).toBe('application/octet-stream'); // GCS: video/mp4
    expect(m1.metadata).toEqual({ k: 'v' });
    // GCS: 412 for both of these.
    await upload(file, 'two', { resumable: true, preconditionOpts: { ifGenerationMatch: 0 } });
    await upload(file, 'three', { resumable: true, preconditionOpts: { ifGenerationMatch: 12345 } });
    expect((await file.download())[0].toString()).toBe('three');
    // Simple uploads: enforced, as on GCS.
    await expect(upload(file, 'four', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } })).rejects.toMatchObject({ code: 412 });
    await upload(file, 'five', { resumable: false, metadata: { contentType: 'video/mp4' } });
    expect((await file.getMetadata())[0].contentType).toBe('video/mp4');
  });

  it('stores and reports its own crc32c, without validating a client-supplied one', async () => {
    const file = storage.bucket(await newBucket()).file('lie');
    // GCS answers 400 for a declared crc32c that does not match the bytes.
    await upload(file, 'hello world', { resumable: true, validation: false, metadata: { crc32c: 'AAAAAA==' } });
    const [m] = await file.getMetadata();
    expect(m.crc32c).toBe('yZRlqg=='); // CRC32C("hello world")
    expect(m.md5Hash).toBe(createHash('md5').update('hello world').digest('base64'));
  });
});
