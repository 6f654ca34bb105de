/**
 * What only a folder destination has: the sidecar beside each object, an object whose sidecar is
 * missing or wrong, sweeping temp files, an unusable root, and taking over a dead attempt's bytes.
 * The behaviours every destination shares are in destination-contract.test.ts.
 */
import { createHash } from 'node:crypto';
import { promises as fs, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DestinationUnavailableError, openDestination, StorageRequestError, parseDestination, sweepStaleTempFiles, type Destination } from '../../storage';
import { resumableTempPath } from '../../storage/local/files';

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
const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );
const tempFiles = () => fs.readdir(out(TMP)).catch(() => [] as string[]);

describe('local destination', () => {
  it('keeps the file under its path and its metadata in a pretty-printed sidecar <object>.json', async () => {
    const data = Buffer.from('WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n'.repeat(5000));
    const stored = await dest.writeObject(REL, Readable.from([data]), {
      contentType: 'text/vtt',
      metadata: { testId: '1111', durationMs: 1234 },
      expectedBytes: data.length,
    });
    expect(stored.uri).toBe(`file://${root}/out/${REL}`);
    expect((await fs.readFile(out(REL))).equals(data)).toBe(true);
    const text = await fs.readFile(out(`${REL}.json`), 'utf8');
    expect(JSON.parse(text)).toEqual({
      storagePath: stored.uri,
      bytes: data.length,
      md5: stored.md5,
      crc32c: stored.crc32c,
      contentType: 'text/vtt',
      metadata: { testId: '1111', durationMs: '1234' },
      writtenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(text).toContain('\n  "storagePath"');
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

  it('remove: gone already (or its folder a file) is not an error; any other failure is a typed error and the sidecar goes first', async () => {
    await dest.writeObject(REL, Readable.from([Buffer.from('12345')]), { contentType: 'video/mp4', metadata: {} });
    await dest.remove(REL);
    await dest.remove(REL);
    expect(await exists(out(REL))).toBe(false);
    await fs.writeFile(out(path.dirname(REL), 'blocker'), 'x');
    await dest.remove(`${path.dirname(REL)}/blocker/session.mp4`);

    // A folder where the object should be: fs refuses to delete it, and remove says so instead of claiming success.
    const folderAt = `${path.dirname(REL)}/transcript.vtt`;
    await fs.mkdir(out(folderAt));
    await fs.writeFile(out(`${folderAt}.json`), '{}');
    const failure = await dest.remove(folderAt).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(StorageRequestError);
    expect(failure).toMatchObject({ retryable: false, objectUri: `file://${root}/out/${folderAt}` });
    expect((failure as Error).message).toMatch(/^delete of file:\/\/.*transcript\.vtt failed: /);
    expect(await exists(out(`${folderAt}.json`))).toBe(false);
    expect(await exists(out(folderAt))).toBe(true);
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
    await expect(blocked.writeObject('x.mp4', Readable.from([Buffer.from('x')]), { contentType: 'x', metadata: {} })).rejects.toThrow(
      DestinationUnavailableError,
    );
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
    const stored = await dest.writeObject(REL, Readable.from([data.subarray(point.bytes)]), {
      contentType: 'video/mp4',
      metadata: {},
      expectedBytes: data.length,
      resume: point,
    });
    expect(stored).toMatchObject({ bytes: data.length, md5: createHash('md5').update(data).digest('base64') });
    expect(
      createHash('md5')
        .update(await fs.readFile(out(...REL.split('/'))))
        .digest('base64'),
    ).toBe(stored.md5);
    expect(await tempFiles()).toEqual([path.basename(busy)]);
  });
});
