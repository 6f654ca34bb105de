import { createHash, randomBytes } from 'node:crypto';
import { CRC32C } from '@google-cloud/storage';
import { Crc32c } from '../../storage/crc32c';
import { BLOCK_SIZE, computeDigest, mediaChunks, mediaContent, mediaETag, SAMPLE_VIDEO } from '../../simulator/media-bytes';
import { RateLimiter } from '../../simulator/rate-limiter';
import { parseRange } from '../../simulator/routes-media';
import { mediaKeyOfPath, SignedLinks } from '../../simulator/signed-links';

const collect = (chunks: Iterable<Buffer>) => Buffer.concat([...chunks]);

describe('crc32c', () => {
  test('matches the check value and @google-cloud/storage CRC32C', () => {
    expect(new Crc32c().update(Buffer.from('123456789')).value()).toBe(0xe3069283);
    for (const len of [0, 1, 7, 8, 9, 1000, 65_537]) {
      const data = randomBytes(len);
      const theirs = new CRC32C();
      theirs.update(data);
      expect(new Crc32c().update(data).toString()).toBe(theirs.toString());
    }
  });

  test('is incremental', () => {
    const data = randomBytes(10_000);
    const whole = new Crc32c().update(data).toString();
    expect(new Crc32c().update(data.subarray(0, 3333)).update(data.subarray(3333)).toString()).toBe(whole);
  });
});

describe('media bytes', () => {
  const content = mediaContent(1, 'video:0b5e3f1c-9a8d-4c1e-8f7a-2d3b4c5d6e7f', 0, 3 * BLOCK_SIZE + 123);

  test('are deterministic, start with the playable sample video and a free box, and any range equals the slice of the whole', () => {
    const whole = collect(mediaChunks(content, 0, content.size - 1));
    expect(whole.length).toBe(content.size);
    expect(whole.subarray(0, SAMPLE_VIDEO.length).equals(SAMPLE_VIDEO)).toBe(true);
    expect(whole.subarray(4, 8).toString('latin1')).toBe('ftyp');
    // A box players skip fills the object to its size.
    expect(whole.readUInt32BE(SAMPLE_VIDEO.length)).toBe(content.size - SAMPLE_VIDEO.length);
    expect(whole.subarray(SAMPLE_VIDEO.length + 4, SAMPLE_VIDEO.length + 8).toString('latin1')).toBe('free');
    expect(collect(mediaChunks(mediaContent(1, content.key, 0, content.size), 0, content.size - 1)).equals(whole)).toBe(true);
    for (const [start, end] of [
      [0, 0],
      [BLOCK_SIZE - 1, BLOCK_SIZE],
      [100, 2 * BLOCK_SIZE + 5],
      [content.size - 10, content.size + 50],
    ]) {
      expect(collect(mediaChunks(content, start, end, 1000)).equals(whole.subarray(start, Math.min(end, content.size - 1) + 1))).toBe(true);
    }
  });

  test('change with the seed, the key and the version', () => {
    // Past the sample video every object's bytes are its own.
    const head = (c: typeof content) => collect(mediaChunks(c, BLOCK_SIZE + 100, BLOCK_SIZE + 200));
    expect(head(mediaContent(2, content.key, 0, content.size)).equals(head(content))).toBe(false);
    expect(head(mediaContent(1, content.key, 1, content.size)).equals(head(content))).toBe(false);
    expect(head(mediaContent(1, 'clip:0b5e3f1c-9a8d-4c1e-8f7a-2d3b4c5d6e7f', 0, content.size)).equals(head(content))).toBe(false);
  });

  test('digest is md5 and crc32c in base64 over the whole content; small objects get the md5 ETag', () => {
    const whole = collect(mediaChunks(content, 0, content.size - 1));
    const digest = computeDigest(content);
    expect(digest).toEqual({ bytes: content.size, md5: createHash('md5').update(whole).digest('base64'), crc32c: new Crc32c().update(whole).toString() });
    expect(mediaETag(content, () => digest)).toBe(`"${createHash('md5').update(whole).digest('hex')}"`);
    const big = mediaContent(1, content.key, 0, 100 * 1024 * 1024);
    expect(
      mediaETag(big, () => {
        throw new Error('must not hash');
      }),
    ).toMatch(/^"[0-9a-f]{32}-13"$/);
  });
});

describe('Range header', () => {
  test.each([
    ['bytes=0-', { start: 0, end: 99 }],
    ['bytes=10-19', { start: 10, end: 19 }],
    ['bytes=90-500', { start: 90, end: 99 }],
    ['bytes=-10', { start: 90, end: 99 }],
    ['bytes=-500', { start: 0, end: 99 }],
    ['bytes=100-', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=5-1', undefined],
    ['bytes=0-1,5-6', undefined],
    ['items=0-1', undefined],
  ])('%s of 100 bytes', (header, expected) => {
    expect(parseRange(header, 100)).toEqual(expected);
  });
});

describe('rate limiter', () => {
  test('fixed window per client, opened by the first request', () => {
    const limiter = new RateLimiter({ limit: 2, windowMs: 10_000 });
    expect(limiter.consume('a', 1000)).toEqual({ allowed: true, limit: 2, remaining: 1, resetSeconds: 10 });
    expect(limiter.consume('a', 2500)).toEqual({ allowed: true, limit: 2, remaining: 0, resetSeconds: 9 });
    expect(limiter.consume('a', 10_999)).toEqual({ allowed: false, limit: 2, remaining: 0, resetSeconds: 1 });
    expect(limiter.consume('b', 3000).remaining).toBe(1);
    expect(limiter.consume('a', 11_000)).toEqual({ allowed: true, limit: 2, remaining: 1, resetSeconds: 10 });
    expect(limiter.peek(undefined, 0)).toEqual({ allowed: true, limit: 2, remaining: 2, resetSeconds: 10 });
  });
});

describe('signed links', () => {
  const links = new SignedLinks(9);
  const key = 'reel:0b5e3f1c-9a8d-4c1e-8f7a-2d3b4c5d6e7f';

  test('look like S3 pre-signed URLs and differ per issue', () => {
    const a = links.issue('http://h', key, 900_000, Date.UTC(2026, 0, 14, 12, 0, 0));
    const b = links.issue('http://h', key, 900_000, Date.UTC(2026, 0, 14, 12, 0, 0));
    const url = new URL(a.url);
    expect(url.pathname).toBe('/media/usertesting-videosprod/reels/0b5e3f1c-9a8d-4c1e-8f7a-2d3b4c5d6e7f.mp4');
    expect(mediaKeyOfPath(url.pathname)).toBe(key);
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^ASIA[0-9A-F]{16}\/20260114\/us-east-1\/s3\/aws4_request$/);
    expect(url.searchParams.get('X-Amz-Date')).toBe('20260114T120000Z');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(b.url).not.toBe(a.url);
  });

  test('detect tampering and expiry', () => {
    const now = Date.now();
    const { url } = links.issue('http://h', key, 50, now);
    const u = new URL(url);
    expect(links.check(u.pathname, u.searchParams, now + 10)).toMatchObject({ ok: true });
    expect(links.check(u.pathname, u.searchParams, now + 51)).toMatchObject({ ok: false, code: 'AccessDenied', message: 'Request has expired' });
    const longer = new URLSearchParams(u.searchParams);
    longer.set('X-Amz-Expires', '3600');
    expect(links.check(u.pathname, longer, now)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(links.check(u.pathname.replace('reels/0', 'reels/1'), u.searchParams, now)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    const unsigned = new URLSearchParams(u.searchParams);
    unsigned.delete('X-Amz-Signature');
    expect(links.check(u.pathname, unsigned, now)).toMatchObject({ ok: false, code: 'AccessDenied' });
  });
});
