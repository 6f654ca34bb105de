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
 * - The bare STORAGE_EMULATOR_HOST variable breaks @google-cloud/storage 7.x (see gcs-client.ts).
 * - md5Hash, crc32c, generation and custom metadata are reported as GCS reports them.
 */
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { File, Storage, type CreateWriteStreamOptions } from '@google-cloud/storage';
import {
  ChecksumMismatchError,
  createGcsClient,
  DestinationUnavailableError,
  ObjectAlreadyExistsError,
  openDestination,
  parseDestination,
  SizeMismatchError,
  type Destination,
} from '../../storage';
import { GcsDestination } from '../../storage/gcs-destination';
import { generatedSource, readAll } from '../../storage/testing';
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

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('gs:// destination', () => {
  it('streams a multi-chunk resumable upload; md5/crc32c reported by the server equal ours; metadata round-trips', async () => {
    const { bucket, dest } = await newDestination();
    const src = generatedSource(3 * 1024 * 1024 + 17);
    const progress: number[] = [];
    const stored = await dest.writeObject(REL, src.stream, {
      contentType: 'video/mp4',
      metadata: { testId: '1111', durationMs: 60000, hasAudio: true, name: null },
      onProgress: (n) => progress.push(n),
    });
    const expected = await src.checksums;
    expect(stored).toMatchObject({
      uri: `gs://${bucket}/archive/ut/${REL}`,
      relativePath: REL,
      bytes: expected.bytes,
      md5: expected.md5,
      crc32c: expected.crc32c,
      metadata: { testId: '1111', durationMs: '60000', hasAudio: 'true' },
      metadataComplete: true,
    });
    expect(stored.generation).toMatch(/^\d+$/);
    expect(progress.at(-1)).toBe(expected.bytes);

    const [metadata] = await storage.bucket(bucket).file(`archive/ut/${REL}`).getMetadata();
    expect(metadata).toMatchObject({ md5Hash: expected.md5, crc32c: expected.crc32c, contentType: 'video/mp4', metadata: stored.metadata });
    expect(await dest.stat(REL)).toEqual(stored);
    const bytes = await readAll(dest.readObject(REL));
    expect(createHash('md5').update(bytes).digest('base64')).toBe(expected.md5);
  });

  it('uses one simple upload for a small object of known size', async () => {
    const { dest } = await newDestination('');
    const body = Buffer.from('WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n');
    const stored = await dest.writeObject('t/transcript.vtt', Readable.from([body]), { contentType: 'text/vtt', metadata: { kind: 'transcript' }, expectedBytes: body.length });
    expect(stored).toMatchObject({ uri: expect.stringMatching(/^gs:\/\/[^/]+\/t\/transcript\.vtt$/), bytes: body.length, metadata: { kind: 'transcript' } });
    expect((await readAll(dest.readObject('t/transcript.vtt'))).equals(body)).toBe(true);
    const [metadata] = await storage.bucket(dest.spec.scheme === 'gs' ? dest.spec.bucket : '').file('t/transcript.vtt').getMetadata();
    expect(metadata.contentType).toBe('text/vtt');
  });

  it('create-if-absent: an existing object gives ObjectAlreadyExistsError and is left alone', async () => {
    const { dest } = await newDestination();
    const first = await dest.writeObject(REL, Readable.from([Buffer.from('first')]), { contentType: 'video/mp4', metadata: {} });
    for (const expectedBytes of [undefined, 6]) {
      const again = dest.writeObject(REL, Readable.from([Buffer.from('second')]), { contentType: 'video/mp4', metadata: {}, expectedBytes });
      await expect(again).rejects.toThrow(ObjectAlreadyExistsError);
    }
    expect(await dest.stat(REL)).toEqual(first);
  });

  it('a writer that loses the race at finalize gets 412 -> ObjectAlreadyExistsError (simple upload; a real bucket does this for resumable uploads too)', async () => {
    const { dest } = await newDestination();
    const other = new GcsDestination(dest.spec as { scheme: 'gs'; bucket: string; prefix: string }, storage);
    // The source pauses after its first part; meanwhile another writer creates the object.
    let step = 0;
    const slow = new Readable({
      read() {
        step++;
        if (step === 1) this.push(Buffer.from('loser-'));
        else if (step === 2) void other.writeObject(REL, Readable.from([Buffer.from('winner')]), { contentType: 'video/mp4', metadata: {} }).then(() => this.push(Buffer.from('bytes')));
        else this.push(null);
      },
    });
    const write = dest.writeObject(REL, slow, { contentType: 'video/mp4', metadata: {}, expectedBytes: 11 });
    const err = await write.catch((e) => e);
    expect(err).toBeInstanceOf(ObjectAlreadyExistsError);
    expect(err.relativePath).toBe(REL);
    expect((await readAll(dest.readObject(REL))).toString()).toBe('winner');
  });

  it('replace: rewrites exactly the given generation; a stale generation is refused', async () => {
    const { dest } = await newDestination();
    const v1 = await dest.writeObject(REL, Readable.from([Buffer.from('v1')]), { contentType: 'video/mp4', metadata: { v: 1 } });
    const v2 = await dest.writeObject(REL, generatedSource(700_000).stream, { contentType: 'video/mp4', metadata: { v: 2 }, replace: v1 });
    expect(v2.generation).not.toBe(v1.generation);
    expect(v2).toMatchObject({ bytes: 700_000, metadata: { v: '2' } });
    await expect(dest.writeObject(REL, Readable.from([Buffer.from('v3')]), { contentType: 'video/mp4', metadata: {}, replace: v1 })).rejects.toThrow(
      /no longer generation/,
    );
    // The simple-upload path sends ifGenerationMatch too.
    const v3 = await dest.writeObject(REL, Readable.from([Buffer.from('v3')]), { contentType: 'video/mp4', metadata: { v: 3 }, replace: v2, expectedBytes: 2 });
    expect(await dest.stat(REL)).toEqual(v3);
  });

  it.each([
    ['resumable', undefined],
    ['simple', 4 * 1024 * 1024],
  ])('a source failing mid-stream leaves no object (%s upload)', async (_kind, expectedBytes) => {
    const { bucket, dest } = await newDestination();
    const src = generatedSource(4 * 1024 * 1024, { failAfterBytes: 1024 * 1024, error: new Error('socket hang up') });
    await expect(dest.writeObject(REL, src.stream, { contentType: 'video/mp4', metadata: {}, expectedBytes })).rejects.toThrow('socket hang up');
    await wait(200);
    expect(await objectNames(bucket)).toEqual([]);
    expect(await dest.stat(REL)).toBeUndefined();
  });

  it('an aborted upload leaves no object', async () => {
    const { bucket, dest } = await newDestination();
    const controller = new AbortController();
    const write = dest.writeObject(REL, generatedSource(64 * 1024 * 1024).stream, {
      contentType: 'video/mp4',
      metadata: {},
      signal: controller.signal,
      onProgress: (n) => n >= 1024 * 1024 && controller.abort(),
    });
    await expect(write).rejects.toMatchObject({ name: 'AbortError' });
    await wait(200);
    expect(await objectNames(bucket)).toEqual([]);
  });

  it.each([
    ['resumable, too short', 2_000_000, 3_000_000],
    ['resumable, too long', 3_000_000, 2_000_000],
    ['simple, too short', 1000, 1001],
    ['simple, too long', 1001, 1000],
  ])('expectedBytes mismatch fails with nothing visible (%s)', async (_kind, actual, expectedBytes) => {
    const { bucket, dest } = await newDestination();
    const write = dest.writeObject(REL, generatedSource(actual).stream, { contentType: 'video/mp4', metadata: {}, expectedBytes });
    await expect(write).rejects.toThrow(SizeMismatchError);
    await wait(200);
    expect(await objectNames(bucket)).toEqual([]);
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
          if (!flipped) (copy[0] ^= 0xff), (flipped = true);
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

  it('list() and writeSmallObject() overwrite', async () => {
    const { bucket, dest } = await newDestination('p');
    const t = 'test_id=11111111-1111-4111-8111-111111111111';
    await dest.writeObject(`${t}/highlight_reels/r1.mp4`, Readable.from([Buffer.from('r1')]), { contentType: 'video/mp4', metadata: {} });
    await dest.writeObject(`${t}/session_id=s/clips/c1.mp4`, Readable.from([Buffer.from('c1')]), { contentType: 'video/mp4', metadata: {} });
    await dest.writeObject(`${t}x/other.mp4`, Readable.from([Buffer.from('o')]), { contentType: 'video/mp4', metadata: {} });
    await storage.bucket(bucket).file('outside.mp4').save('x');

    const m1 = await dest.writeSmallObject(`${t}/manifest.json`, '{"v":1}', { contentType: 'application/json' });
    const m2 = await dest.writeSmallObject(`${t}/manifest.json`, '{"v":2,"x":true}', { contentType: 'application/json', metadata: { runs: 2 } });
    expect(m2.generation).not.toBe(m1.generation);
    expect(m2).toMatchObject({ bytes: 16, metadata: { runs: '2' } });
    expect((await readAll(dest.readObject(`${t}/manifest.json`))).toString()).toBe('{"v":2,"x":true}');

    const listed = await dest.list(t);
    expect(listed.map((o) => o.relativePath)).toEqual([`${t}/highlight_reels/r1.mp4`, `${t}/manifest.json`, `${t}/session_id=s/clips/c1.mp4`]);
    expect(listed[1]).toEqual(m2);
    expect((await dest.list('')).map((o) => o.relativePath)).toHaveLength(4);
    expect(await dest.list('nothing')).toEqual([]);
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
