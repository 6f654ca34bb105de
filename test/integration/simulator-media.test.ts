import { createHash } from 'node:crypto';
import http from 'node:http';
import { CRC32C } from '@google-cloud/storage';
import { startSimulator, type RunningSimulator } from '../../simulator';

/** Response bodies are checked field by field with expect(); untyped JSON keeps that readable. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const jsonOf = (res: Response): Promise<any> => res.json();

const TEST_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const SESSION = '5a1d8707-0cf1-47d4-86f3-7c7b8722921d';
const EXPIRING_SESSION = '41f72104-5f84-44fa-a16a-03f5751596ec';
const CUT_SESSION = '6c84fb90-12c4-41c9-9f1b-bd1d7b1b9f01';
const CLIP = 'a0ff28a2-020b-4944-ab5a-ba035269641e';
const REEL = '8fdc898f-3b2b-4f45-91a2-2a6b618bc987';
const VIDEO_BYTES = 300_001;

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  error?: Error;
}

/** A GET that keeps whatever arrived when the connection drops (fetch would throw it away). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let error: Error | undefined;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => (error = e));
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          error: error ?? (res.complete ? undefined : new Error('incomplete')),
        }),
      );
    });
    req.on('error', reject);
  });
}

function digestOf(body: Buffer) {
  const crc = new CRC32C();
  crc.update(body);
  return { bytes: body.length, md5: createHash('md5').update(body).digest('base64'), crc32c: crc.toString() };
}

describe('simulator media links (S3-style)', () => {
  let sim: RunningSimulator;
  let token: string;
  const api = async (path: string) => {
    const res = await fetch(`${sim.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return jsonOf(res);
  };
  const videoUrl = async (sessionId = SESSION): Promise<string> => (await api(`/api/v2/sessionResults/${sessionId}/videoDownloadUrl`)).videoUrl;

  beforeAll(async () => {
    sim = await startSimulator({
      scenario: {
        seed: 21,
        rateLimit: { limit: 10_000 },
        generation: { generatingMs: 0 },
        faults: { linkExpiredOnFirstUse: [`video:${EXPIRING_SESSION}`], cutBodyOnce: [`video:${CUT_SESSION}`] },
        tests: [
          {
            testId: TEST_ID,
            sessions: [
              { sessionId: SESSION, videoBytes: VIDEO_BYTES, clips: [{ uuid: CLIP, bytes: 70_000 }] },
              { sessionId: EXPIRING_SESSION, videoBytes: 5_000 },
              { sessionId: CUT_SESSION, videoBytes: 200_000 },
            ],
            reels: [{ uuid: REEL, bytes: 123_456 }],
          },
        ],
      },
      port: 0,
    });
    const res = await fetch(sim.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'studies:read', client_id: 'demo-client', client_secret: 'demo-secret' }),
    });
    token = (await jsonOf(res)).access_token;
  });
  afterAll(() => sim.close());

  test('full GET: 200 video/mp4 with length, ranges, ETag (md5) and Last-Modified; bytes match expectedDigest', async () => {
    const res = await fetch(await videoUrl());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('content-length')).toBe(String(VIDEO_BYTES));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    const body = Buffer.from(await res.arrayBuffer());
    const expected = sim.expectedDigest({ kind: 'video', sessionId: SESSION });
    expect(digestOf(body)).toEqual(expected);
    expect(res.headers.get('etag')).toBe(`"${Buffer.from(expected.md5, 'base64').toString('hex')}"`);
    const finish = sim.scenario.tests[0].sessions[0].finishTime!;
    expect(res.headers.get('last-modified')).toBe(new Date(finish).toUTCString());
    expect(body.subarray(4, 8).toString('latin1')).toBe('ftyp');
  });

  test('clip and reel links serve their own objects, matching expectedDigest', async () => {
    const clip = await api(`/api/v2/sessionResults/${SESSION}/clips/${CLIP}`);
    expect(clip.status).toBe('GENERATED');
    const clipBody = Buffer.from(await (await fetch(clip.clipUrl)).arrayBuffer());
    expect(digestOf(clipBody)).toEqual(sim.expectedDigest({ kind: 'clip', sessionId: SESSION, clipId: CLIP }));
    const reel = await api(`/api/v2/testResults/${TEST_ID}/highlightreels/${REEL}`);
    const reelBody = Buffer.from(await (await fetch(reel.reelUrl)).arrayBuffer());
    expect(digestOf(reelBody)).toEqual(sim.expectedDigest({ kind: 'reel', testId: TEST_ID, reelId: REEL }));
  });

  test('HEAD: the same headers, no body', async () => {
    const res = await rawGet(await videoUrl(), {});
    const head = await fetch(await videoUrl(), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(VIDEO_BYTES));
    expect(head.headers.get('etag')).toBe(res.headers.etag);
  });

  test('Range bytes=N-M and bytes=N- → 206 with Content-Range and exactly those bytes', async () => {
    const url = await videoUrl();
    const whole = (await rawGet(url)).body;
    const mid = await rawGet(url, { range: 'bytes=65530-131080' });
    expect(mid.status).toBe(206);
    expect(mid.headers['content-range']).toBe(`bytes 65530-131080/${VIDEO_BYTES}`);
    expect(mid.headers['content-length']).toBe(String(131080 - 65530 + 1));
    expect(mid.body.equals(whole.subarray(65530, 131081))).toBe(true);
    const tail = await rawGet(url, { range: 'bytes=300000-' });
    expect(tail.status).toBe(206);
    expect(tail.headers['content-range']).toBe(`bytes 300000-300000/${VIDEO_BYTES}`);
    expect(tail.body.equals(whole.subarray(300000))).toBe(true);
    const suffix = await rawGet(url, { range: 'bytes=-100' });
    expect(suffix.headers['content-range']).toBe(`bytes ${VIDEO_BYTES - 100}-${VIDEO_BYTES - 1}/${VIDEO_BYTES}`);
    expect(suffix.body.equals(whole.subarray(VIDEO_BYTES - 100))).toBe(true);
  });

  test('unsatisfiable Range → 416 with Content-Range bytes */TOTAL', async () => {
    const res = await rawGet(await videoUrl(), { range: `bytes=${VIDEO_BYTES}-` });
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe(`bytes */${VIDEO_BYTES}`);
    expect(res.body.toString()).toContain('<Code>InvalidRange</Code>');
  });

  test('tampered signature, path or expiry → 403 SignatureDoesNotMatch (XML); no signature → 403 AccessDenied', async () => {
    const url = new URL(await videoUrl());
    const sig = url.searchParams.get('X-Amz-Signature')!;
    const variants: string[] = [];
    const flipped = new URL(url);
    flipped.searchParams.set('X-Amz-Signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
    variants.push(flipped.toString());
    const longer = new URL(url);
    longer.searchParams.set('X-Amz-Expires', '604800');
    variants.push(longer.toString());
    variants.push(url.toString().replace(SESSION, CUT_SESSION));
    for (const variant of variants) {
      const res = await fetch(variant);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/xml');
      const xml = await res.text();
      expect(xml).toMatch(/<Error><Code>SignatureDoesNotMatch<\/Code><Message>[^<]+<\/Message>/);
    }
    const bare = await fetch(`${url.origin}${url.pathname}`);
    expect(bare.status).toBe(403);
    expect(await bare.text()).toContain('<Code>AccessDenied</Code>');
  });

  test('media requests need no bearer token and are not API calls', async () => {
    sim.resetStats();
    const url = await videoUrl();
    await (await fetch(url)).arrayBuffer();
    const stats = sim.stats();
    expect(stats.calls).toHaveLength(1);
    expect(stats.media).toEqual([{ at: expect.any(Number), key: `video:${SESSION}`, method: 'GET', status: 200, bytesSent: VIDEO_BYTES, completed: true }]);
  });

  test('linkExpiredOnFirstUse: the first link issued answers 403 "Request has expired" (and stays expired); a fresh link works', async () => {
    const first = await videoUrl(EXPIRING_SESSION);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(first);
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
    }
    const fresh = await fetch(await videoUrl(EXPIRING_SESSION));
    expect(fresh.status).toBe(200);
    expect((await fresh.arrayBuffer()).byteLength).toBe(5_000);
    expect(
      sim
        .stats()
        .media.filter((m) => m.key === `video:${EXPIRING_SESSION}`)
        .map((m) => [m.status, m.faultInjected]),
    ).toEqual([
      [403, 'linkExpiredOnFirstUse'],
      [403, 'linkExpiredOnFirstUse'],
      [200, undefined],
    ]);
  });

  test('cutBodyOnce: full Content-Length, about half the body, then the connection drops; a Range request resumes', async () => {
    const url = await videoUrl(CUT_SESSION);
    const cut = await rawGet(url);
    expect(cut.status).toBe(200);
    expect(cut.headers['content-length']).toBe('200000');
    expect(cut.error).toBeDefined();
    expect(cut.body.length).toBeLessThan(200_000);
    expect(cut.body.length).toBeGreaterThan(0);
    const rest = await rawGet(url, { range: `bytes=${cut.body.length}-` });
    expect(rest.status).toBe(206);
    expect(rest.headers['content-range']).toBe(`bytes ${cut.body.length}-199999/200000`);
    expect(digestOf(Buffer.concat([cut.body, rest.body]))).toEqual(sim.expectedDigest({ kind: 'video', sessionId: CUT_SESSION }));
    const again = await rawGet(url);
    expect(again.error).toBeUndefined();
    expect(again.body.length).toBe(200_000);
    const records = sim.stats().media.filter((m) => m.key === `video:${CUT_SESSION}`);
    expect(records[0]).toMatchObject({ status: 200, bytesSent: 100_000, completed: false, faultInjected: 'cutBodyOnce' });
    expect(records[1]).toMatchObject({ status: 206, rangeStart: cut.body.length, rangeEnd: 199_999, completed: true });
  });

  test('the stats endpoint serves the same data; reset-stats clears it (no auth needed)', async () => {
    const res = await fetch(`${sim.baseUrl}/__simulator/stats`);
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual(JSON.parse(JSON.stringify(sim.stats())));
    expect((await fetch(`${sim.baseUrl}/__simulator/reset-stats`, { method: 'POST' })).status).toBe(204);
    expect(sim.stats()).toEqual({ calls: [], tokenRequests: [], media: [], mediaInProgress: [] });
  });
});

describe('simulator link expiry', () => {
  test('a link past its TTL (1 s) → 403 AccessDenied "Request has expired"', async () => {
    const sim = await startSimulator({
      scenario: { linkTtlMs: { video: 1000 }, tests: [{ testId: TEST_ID, sessions: [{ sessionId: SESSION, videoBytes: 1000 }] }] },
      port: 0,
    });
    try {
      const tokenRes = await fetch(sim.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&scope=studies:read&client_id=demo-client&client_secret=demo-secret',
      });
      const { access_token } = await jsonOf(tokenRes);
      const link = await jsonOf(
        await fetch(`${sim.baseUrl}/api/v2/sessionResults/${SESSION}/videoDownloadUrl`, { headers: { authorization: `Bearer ${access_token}` } }),
      );
      expect(Date.parse(link.expiresAt) - Date.now()).toBeLessThanOrEqual(1000);
      expect(new URL(link.videoUrl).searchParams.get('X-Amz-Expires')).toBe('1');
      expect((await fetch(link.videoUrl)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      const res = await fetch(link.videoUrl);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/xml');
      expect(await res.text()).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
    } finally {
      await sim.close();
    }
  });
});
