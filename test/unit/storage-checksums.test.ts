import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CRC32C } from '@google-cloud/storage';
import { ChecksumTransform, checksumsOf, SizeMismatchError } from '../../storage';
import { describeMismatch } from '../../storage/checksums';
import { stringifyMetadata } from '../../storage/metadata';
import { checkRelativePath, folderPrefix } from '../../storage/object-names';
import { generatedSource } from '../support/generated-source';

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

describe('ChecksumTransform', () => {
  it('passes bytes through and computes md5, crc32c and size as GCS reports them', async () => {
    const parts = [Buffer.from('hello '), Buffer.from('world'), Buffer.alloc(100_000, 3)];
    const all = Buffer.concat(parts);
    const hasher = new ChecksumTransform({ relativePath: 'x' });
    const out: Buffer[] = [];
    const progress: number[] = [];
    const h2 = new ChecksumTransform({ relativePath: 'x', onProgress: (n) => progress.push(n) });
    await pipeline(Readable.from(parts), hasher, h2, new Writable({ write: (c, _e, cb) => (out.push(c), cb()) }));
    expect(Buffer.concat(out).equals(all)).toBe(true);
    const crc = new CRC32C();
    crc.update(all);
    expect(hasher.checksums).toEqual({ bytes: all.length, md5: createHash('md5').update(all).digest('base64'), crc32c: crc.toString() });
    expect(checksumsOf(all)).toEqual(hasher.checksums);
    expect(progress[progress.length - 1]).toBe(all.length);
    // CRC32C of "data" in base64, from the client's documentation.
    expect(checksumsOf(Buffer.from('data')).crc32c).toBe('rth90Q==');
  });

  it('fails when the source ends early or delivers more than expectedBytes', async () => {
    const short = new ChecksumTransform({ relativePath: 'a/b.mp4', expectedBytes: 10 });
    await expect(pipeline(Readable.from([Buffer.alloc(6)]), short, sink())).rejects.toThrow(SizeMismatchError);
    const long = new ChecksumTransform({ relativePath: 'a/b.mp4', expectedBytes: 10 });
    const err = await pipeline(Readable.from([Buffer.alloc(6), Buffer.alloc(6)]), long, sink()).catch((e) => e);
    expect(err).toBeInstanceOf(SizeMismatchError);
    expect(err).toMatchObject({ expectedBytes: 10, actualBytes: 12, overflow: true });
    expect(() => short.checksums).toThrow(/only after the stream has ended/);
  });

  it('matches the checksums of a generated source', async () => {
    const src = generatedSource(1_000_003, { chunkSize: 50_000 });
    const hasher = new ChecksumTransform({ relativePath: 'x', expectedBytes: 1_000_003 });
    await pipeline(src.stream, hasher, sink());
    expect(hasher.checksums).toEqual(await src.checksums);
  });

  it('hashes large streams on the hashing thread with the same result, in order, for several streams at once', async () => {
    const data = [0, 1, 2].map((seed) => {
      const b = Buffer.allocUnsafe(20 * 1024 * 1024 + 12_345);
      for (let i = 0; i < b.length; i += 4096) b.fill((seed * 7 + i / 4096) & 0xff, i, Math.min(b.length, i + 4096));
      return b;
    });
    const results = await Promise.all(
      data.map(async (b, i) => {
        const hasher = new ChecksumTransform({ relativePath: `x${i}`, expectedBytes: i === 0 ? undefined : b.length });
        const chunks = [];
        for (let o = 0; o < b.length; o += 65_536 + i) chunks.push(b.subarray(o, o + 65_536 + i));
        await pipeline(Readable.from(chunks), hasher, sink());
        return hasher.checksums;
      }),
    );
    // Against independent implementations: node's MD5 and @google-cloud/storage's JavaScript CRC32C.
    results.forEach((r, i) => {
      const crc = new CRC32C();
      crc.update(data[i]!);
      expect(r).toEqual({ bytes: data[i]!.length, md5: createHash('md5').update(data[i]!).digest('base64'), crc32c: crc.toString() });
    });
  });

  it('an abandoned large stream leaves the hashing threads right for the next ones, which reuse its memory', async () => {
    const make = (seed: number) => {
      const b = Buffer.allocUnsafe(12 * 1024 * 1024 + 7);
      for (let i = 0; i < b.length; i += 1000) b.fill((seed + i / 1000) & 0xff, i, Math.min(b.length, i + 1000));
      return b;
    };
    const abandoned = new ChecksumTransform({ relativePath: 'gone', expectedBytes: 64 * 1024 * 1024 });
    const cut = new Readable({ read() {} });
    const abandonedRun = pipeline(cut, abandoned, sink());
    cut.push(make(9));
    await new Promise((r) => setTimeout(r, 20));
    cut.destroy(new Error('connection lost'));
    await expect(abandonedRun).rejects.toThrow('connection lost');
    for (const seed of [1, 2]) {
      const data = make(seed);
      const hasher = new ChecksumTransform({ relativePath: `next${seed}`, expectedBytes: data.length });
      const chunks = [];
      for (let o = 0; o < data.length; o += 300_001) chunks.push(data.subarray(o, o + 300_001));
      await pipeline(Readable.from(chunks), hasher, sink());
      expect(hasher.checksums).toEqual(checksumsOfIndependently(data));
    }
  });

  it('describes mismatches', () => {
    const ours = checksumsOf(Buffer.from('abc'));
    expect(describeMismatch(ours, { ...ours })).toBeUndefined();
    expect(describeMismatch(ours, { ...ours, crc32c: 'AAAAAA==' })).toMatch(/crc32c AAAAAA== != /);
    expect(describeMismatch(ours, { bytes: 3 })).toMatch(/no checksum/);
  });
});

describe('object names and metadata', () => {
  it.each(['', '/abs/x.mp4', 'a/../b', '../x', 'a//b', 'a/./b', 'a\\b', 'a/', '.ut-media-tmp/x', 'a\u0000b'])('rejects %j', (p) => {
    expect(() => checkRelativePath(p)).toThrow(Error);
  });

  it('accepts the layout paths', () => {
    const p = 'test_id=6f1c7c2e-0b1a-4c55-9a47-0d4d2a9b7e11/session_id=0b0e/clips/c.mp4';
    expect(checkRelativePath(p)).toBe(p);
    expect(folderPrefix('')).toBe('');
    expect(folderPrefix('a/b')).toBe('a/b/');
    expect(folderPrefix('a/b/')).toBe('a/b/');
    expect(() => folderPrefix('../a')).toThrow();
  });

  it('stringifies metadata values and drops null/undefined', () => {
    expect(stringifyMetadata({ a: 'x', b: 1.5, c: true, d: null, e: undefined, f: 0, g: false })).toEqual({ a: 'x', b: '1.5', c: 'true', f: '0', g: 'false' });
  });
});

/** MD5 from node, CRC32C from @google-cloud/storage's JavaScript implementation: not the code under test. */
function checksumsOfIndependently(data: Buffer): { bytes: number; md5: string; crc32c: string } {
  const crc = new CRC32C();
  crc.update(data);
  return { bytes: data.length, md5: createHash('md5').update(data).digest('base64'), crc32c: crc.toString() };
}
