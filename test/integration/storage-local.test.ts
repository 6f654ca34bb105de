import { createHash } from 'node:crypto';
import { promises as fs, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CRC32C } from '@google-cloud/storage';
import {
  DestinationUnavailableError,
  ObjectAlreadyExistsError,
  openDestination,
  parseDestination,
  SizeMismatchError,
  sweepStaleTempFiles,
  type Destination,
} from '../../storage';
import { resumableTempPath } from '../../storage/local-files';
import { generatedSource, readAll } from '../../storage/testing';

const REL = 'test_id=11111111-1111-4111-8111-111111111111/session_id=22222222-2222-4222-8222-222222222222/session.mp4';
const TMP = '.ut-media-tmp';

let root: string;
let dest: Destination;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ut-media-storage-local-'));
  dest = openDestination(parseDestination(`file://${root}/out`));
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const out = (...p: string[]) => path.join(root, 'out', ...p);
const exists = (p: string) => fs.stat(p).then(() => true, () => false);
const tempFiles = () => fs.readdir(out(TMP)).catch(() => [] as string[]);

describe('local destination', () => {
  it('writes the final file and its sidecar with md5/crc32c equal to node:crypto and CRC32C', async () => {
    const data = Buffer.from('WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n'.repeat(5000));
    const progress: number[] = [];
    const stored = await dest.writeObject(REL, Readable.from([data.subarray(0, 1000), data.subarray(1000)]), {
      contentType: 'video/mp4',
      metadata: { testId: '1111', durationMs: 1234, hasAudio: true, name: null, skipped: undefined },
      expectedBytes: data.length,
      onProgress: (n) => progress.push(n),
    });
    const crc = new CRC32C();
    crc.update(data);
    const md5 = createHash('md5').update(data).digest('base64');
    expect(stored).toMatchObject({
      uri: `file://${root}/out/${REL}`,
      relativePath: REL,
      bytes: data.length,
      md5,
      crc32c: crc.toString(),
      metadata: { testId: '1111', durationMs: '1234', hasAudio: 'true' },
      metadataComplete: true,
    });
    expect(progress.at(-1)).toBe(data.length);
    expect((await fs.readFile(out(REL))).equals(data)).toBe(true);

    const sidecar = JSON.parse(await fs.readFile(out(`${REL}.json`), 'utf8'));
    expect(sidecar).toEqual({
      storagePath: stored.uri,
      bytes: data.length,
      md5,
      crc32c: crc.toString(),
      contentType: 'video/mp4',
      metadata: { testId: '1111', durationMs: '1234', hasAudio: 'true' },
      writtenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(await fs.readFile(out(`${REL}.json`), 'utf8')).toContain('\n  "storagePath"'); // pretty JSON
    expect(await dest.stat(REL)).toEqual(stored);
    expect(await tempFiles()).toEqual([]);
    expect((await readAll(dest.readObject(REL))).equals(data)).toBe(true);
  });

  it('leaves no final file, sidecar or temp file when the source fails mid-stream', async () => {
    const src = generatedSource(5_000_000, { failAfterBytes: 1_000_000, error: new Error('connection reset by peer') });
    await expect(dest.writeObject(REL, src.stream, { contentType: 'video/mp4', metadata: {} })).rejects.toThrow('connection reset by peer');
    expect(await exists(out(REL))).toBe(false);
    expect(await exists(out(`${REL}.json`))).toBe(false);
    expect(await tempFiles()).toEqual([]);
    expect(await dest.stat(REL)).toBeUndefined();
  });

  it('leaves nothing when aborted', async () => {
    const controller = new AbortController();
    const src = generatedSource(50_000_000);
    const write = dest.writeObject(REL, src.stream, {
      contentType: 'video/mp4',
      metadata: {},
      signal: controller.signal,
      onProgress: (n) => n > 2_000_000 && controller.abort(),
    });
    await expect(write).rejects.toMatchObject({ name: 'AbortError' });
    expect(await exists(out(REL))).toBe(false);
    expect(await tempFiles()).toEqual([]);
  });

  it('fails with nothing visible when expectedBytes does not match', async () => {
    const short = generatedSource(1000);
    await expect(dest.writeObject(REL, short.stream, { contentType: 'video/mp4', metadata: {}, expectedBytes: 1001 })).rejects.toThrow(SizeMismatchError);
    const long = generatedSource(1_000_000);
    await expect(dest.writeObject(REL, long.stream, { contentType: 'video/mp4', metadata: {}, expectedBytes: 999 })).rejects.toMatchObject({
      name: 'SizeMismatchError',
      overflow: true,
    });
    expect(await exists(out(REL))).toBe(false);
    expect(await exists(out(`${REL}.json`))).toBe(false);
    expect(await tempFiles()).toEqual([]);
  });

  it('creates only if absent, and replaces exactly the version given', async () => {
    const first = await dest.writeObject(REL, Readable.from([Buffer.from('v1')]), { contentType: 'video/mp4', metadata: { v: 1 } });
    await expect(dest.writeObject(REL, Readable.from([Buffer.from('v2')]), { contentType: 'video/mp4', metadata: {} })).rejects.toThrow(ObjectAlreadyExistsError);
    expect(await fs.readFile(out(REL), 'utf8')).toBe('v1');

    const second = await dest.writeObject(REL, Readable.from([Buffer.from('v2!')]), { contentType: 'video/mp4', metadata: { v: 2 }, replace: first });
    expect(second.generation).not.toBe(first.generation);
    expect(await fs.readFile(out(REL), 'utf8')).toBe('v2!');
    expect(await dest.stat(REL)).toMatchObject({ bytes: 3, metadata: { v: '2' }, metadataComplete: true, generation: second.generation });

    // A stale version is refused: someone replaced it since `first` was read.
    const stale = dest.writeObject(REL, Readable.from([Buffer.from('v3')]), { contentType: 'video/mp4', metadata: {}, replace: first });
    await expect(stale).rejects.toThrow(/no longer generation/);
    expect(await fs.readFile(out(REL), 'utf8')).toBe('v2!');
    expect(await tempFiles()).toEqual([]);
  });

  it('create-if-absent is atomic: of two concurrent writers exactly one wins', async () => {
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((v) => dest.writeObject(REL, generatedSource(300_000 + v.charCodeAt(0)).stream, { contentType: 'video/mp4', metadata: { v } })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected.map((r) => r.reason)).toEqual([expect.any(ObjectAlreadyExistsError), expect.any(ObjectAlreadyExistsError)]);
    const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ bytes: number }>).value;
    expect((await fs.stat(out(REL))).size).toBe(winner.bytes);
  });

  it('reports metadataComplete: false when the sidecar is missing or disagrees, and a replace repairs it', async () => {
    await dest.writeObject(REL, Readable.from([Buffer.from('12345')]), { contentType: 'video/mp4', metadata: { a: 1 } });
    await fs.rm(out(`${REL}.json`));
    const noSidecar = await dest.stat(REL);
    expect(noSidecar).toMatchObject({ bytes: 5, md5: '', crc32c: '', metadata: {}, metadataComplete: false });

    await fs.writeFile(out(`${REL}.json`), JSON.stringify({ storagePath: 'x', bytes: 4, md5: 'm', crc32c: 'c', metadata: {} }));
    expect(await dest.stat(REL)).toMatchObject({ bytes: 5, md5: '', metadataComplete: false });
    await fs.writeFile(out(`${REL}.json`), '{not json');
    expect(await dest.stat(REL)).toMatchObject({ metadataComplete: false });

    const repaired = await dest.writeObject(REL, Readable.from([Buffer.from('12345')]), { contentType: 'video/mp4', metadata: { a: 2 }, replace: noSidecar });
    expect(await dest.stat(REL)).toEqual(repaired);
    expect(repaired.metadataComplete).toBe(true);
  });

  it('lists media objects without sidecars or temp files; writeSmallObject overwrites atomically', async () => {
    const t = 'test_id=11111111-1111-4111-8111-111111111111';
    await dest.writeObject(`${t}/highlight_reels/r1.mp4`, Readable.from([Buffer.from('r1')]), { contentType: 'video/mp4', metadata: {} });
    await dest.writeObject(`${t}/session_id=s/transcript.vtt`, Readable.from([Buffer.from('WEBVTT')]), { contentType: 'text/vtt', metadata: {} });
    await dest.writeObject(`other/x.mp4`, Readable.from([Buffer.from('x')]), { contentType: 'video/mp4', metadata: {} });
    await fs.writeFile(out(TMP, 'leftover.part'), 'junk');

    const m1 = await dest.writeSmallObject(`${t}/manifest.json`, '{"v":1}', { contentType: 'application/json' });
    const m2 = await dest.writeSmallObject(`${t}/manifest.json`, Buffer.from('{"v":2,"more":true}'), { contentType: 'application/json', metadata: { run: 2 } });
    expect(await fs.readFile(out(t, 'manifest.json'), 'utf8')).toBe('{"v":2,"more":true}');
    expect(m2).toMatchObject({ bytes: 19, metadata: { run: '2' }, metadataComplete: true });
    expect(m2.generation).not.toBe(m1.generation);

    const listed = await dest.list(t);
    expect(listed.map((o) => o.relativePath)).toEqual([`${t}/highlight_reels/r1.mp4`, `${t}/manifest.json`, `${t}/session_id=s/transcript.vtt`]);
    expect(listed.every((o) => o.metadataComplete)).toBe(true);
    expect((await dest.list('')).map((o) => o.relativePath)).toHaveLength(4);
    expect(await dest.list('nothing/here')).toEqual([]);
  });

  it('rejects unsafe relative paths', async () => {
    for (const bad of ['/etc/passwd', '../escape.mp4', 'a/../../b', 'a\\b', 'a//b', '']) {
      await expect(dest.writeObject(bad, Readable.from([Buffer.from('x')]), { contentType: 'x', metadata: {} })).rejects.toThrow(Error);
    }
    expect(() => dest.objectUri('../x')).toThrow();
    expect(await exists(path.join(root, 'escape.mp4'))).toBe(false);
  });

  it('sweeps stale temp files and reports an unusable root', async () => {
    await fs.mkdir(out(TMP), { recursive: true });
    await fs.writeFile(out(TMP, 'old.part'), 'x');
    await fs.writeFile(out(TMP, 'new.part'), 'x');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(out(TMP, 'old.part'), hourAgo, hourAgo);
    expect(await sweepStaleTempFiles(out(), 60_000)).toBe(1);
    expect(await tempFiles()).toEqual(['new.part']);
    expect(await sweepStaleTempFiles(path.join(root, 'missing'), 0)).toBe(0);

    // At the end of one test's run, another test's resumable leftover is kept: its retry may still take it over.
    const mine = resumableTempPath(out(), out('test_id=a', 'v.mp4'), 'k', 1);
    const theirs = resumableTempPath(out(), out('test_id=b', 'v.mp4'), 'k', 1);
    for (const f of [mine, theirs]) {
      await fs.writeFile(f, 'x');
      utimesSync(f, hourAgo, hourAgo);
    }
    expect(await sweepStaleTempFiles(out(), 60_000, 'test_id=a')).toBe(1);
    expect(await tempFiles()).toEqual(['new.part', path.basename(theirs)].sort());

    await fs.writeFile(path.join(root, 'a-file'), 'x');
    const blocked = openDestination(parseDestination(path.join(root, 'a-file', 'sub')));
    await expect(blocked.writeObject('x.mp4', Readable.from([Buffer.from('x')]), { contentType: 'x', metadata: {} })).rejects.toThrow(DestinationUnavailableError);
  });

  it('takes over the bytes a dead attempt left (never a busy one) and removes them once published', async () => {
    const data = Buffer.alloc(3 << 20);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251;
    const key = 'wf/run/7';
    const dead = resumableTempPath(out(), out(...REL.split('/')), key, 1);
    await fs.mkdir(out(TMP), { recursive: true });
    // Attempt 1 died after 1 MiB and more junk that was never fsynced is cut off by the taker.
    await fs.writeFile(dead, data.subarray(0, 1 << 20));
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(dead, minuteAgo, minuteAgo);

    // A leftover that is still being written to is not joined: the new attempt starts from 0.
    const busy = resumableTempPath(out(), out(...REL.split('/')), 'wf/run/8', 1);
    await fs.writeFile(busy, data.subarray(0, 100));
    expect(await dest.prepareResume(REL, 'wf/run/8', 2, 30_000)).toEqual({ key: 'wf/run/8', attempt: 2, bytes: 0 });
    expect(await exists(busy)).toBe(true);

    const point = await dest.prepareResume(REL, key, 3, 30_000);
    expect(point).toEqual({ key, attempt: 3, bytes: 1 << 20 });
    expect(await exists(dead)).toBe(false);
    const stored = await dest.writeObject(REL, Readable.from([data.subarray(point.bytes)]), { contentType: 'video/mp4', metadata: {}, expectedBytes: data.length, resume: point });
    expect(stored).toMatchObject({ bytes: data.length, md5: createHash('md5').update(data).digest('base64') });
    expect(createHash('md5').update(await fs.readFile(out(...REL.split('/')))).digest('base64')).toBe(stored.md5);
    expect(await tempFiles()).toEqual([path.basename(busy)]);
  });
});
