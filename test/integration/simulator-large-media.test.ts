import { createHash } from 'node:crypto';
import http from 'node:http';
import { startSimulator, type RunningSimulator } from '../../simulator';
import { SAMPLE_VIDEO } from '../../simulator/media-bytes';

/** Response bodies are checked field by field with expect(); untyped JSON keeps that readable. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const jsonOf = (res: Response): Promise<any> => res.json();

const TEST_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const BIG = '5a1d8707-0cf1-47d4-86f3-7c7b8722921d';
const HUGE = '41f72104-5f84-44fa-a16a-03f5751596ec';
const MiB = 1024 * 1024;
const BIG_BYTES = 256 * MiB;
const HUGE_BYTES = 5 * 1024 * MiB + 12_345;

/** Streams a GET, hashing as it goes; returns status, headers, byte count and md5 (base64). */
function streamAndHash(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: number; md5: string; first: Buffer }>((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        const md5 = createHash('md5');
        let bytes = 0;
        let first = Buffer.alloc(0);
        res.on('data', (chunk: Buffer) => {
          if (bytes === 0) first = Buffer.from(chunk.subarray(0, 64));
          bytes += chunk.length;
          md5.update(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, md5: md5.digest('base64'), first }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('simulator large media objects', () => {
  let sim: RunningSimulator;
  let token: string;
  const videoUrl = async (sessionId: string): Promise<string> =>
    (await jsonOf(await fetch(`${sim.baseUrl}/api/v2/sessionResults/${sessionId}/videoDownloadUrl`, { headers: { authorization: `Bearer ${token}` } })))
      .videoUrl;

  beforeAll(async () => {
    sim = await startSimulator({
      scenario: {
        tests: [
          {
            testId: TEST_ID,
            sessions: [
              { sessionId: BIG, videoBytes: BIG_BYTES },
              { sessionId: HUGE, videoBytes: HUGE_BYTES },
            ],
          },
        ],
      },
      port: 0,
    });
    const res = await fetch(sim.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=studies:read&client_id=demo-client&client_secret=demo-secret',
    });
    token = (await jsonOf(res)).access_token;
  });
  afterAll(() => sim.close());

  test('a 256 MiB object streams with flat memory and matches expectedDigest', async () => {
    const url = await videoUrl(BIG);
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakBuffers = baseline.arrayBuffers;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
    }, 25);
    let result;
    try {
      result = await streamAndHash(url);
    } finally {
      clearInterval(sampler);
    }
    // (no timing assertion: speed is measured by npm run bench)
    expect(result.status).toBe(200);
    expect(result.headers['content-length']).toBe(String(BIG_BYTES));
    // Larger than one S3 part: a multipart-style ETag, which is not the content md5 (as on S3).
    expect(result.headers.etag).toMatch(/^"[0-9a-f]{32}-32"$/);
    expect(result.bytes).toBe(BIG_BYTES);
    const expected = sim.expectedDigest({ kind: 'video', sessionId: BIG });
    expect(expected.bytes).toBe(BIG_BYTES);
    expect(result.md5).toBe(expected.md5);
    // Holding the object would need >= 256 MiB. What grows is 64 KiB chunks already passed on and
    // not yet collected: after a forced GC arrayBuffers is back at its baseline on every version.
    // How many pile up depends on Node. Peak growth measured on a 2-core machine (MB):
    //   Node 20: RSS 19-62, arrayBuffers 33-46;  Node 22: RSS 12-70, arrayBuffers 33-57;
    //   Node 24: RSS 50-119, arrayBuffers 63-100, and RSS 145 once in a full `npm test` run.
    // Node 24 (V8 13.6) no longer frees them with scavenges on external memory pressure, as Node 20
    // and 22 do (see --trace-gc), but with incremental mark-compacts, which finish later.
    // Three quarters of the object still tells holding it from streaming it, with room for a busy machine.
    // The benchmark (npm run bench) reports the real ratio.
    const belowTheObject = (BIG_BYTES * 3) / 4;
    expect(peakRss - baseline.rss).toBeLessThan(belowTheObject);
    expect(peakBuffers - baseline.arrayBuffers).toBeLessThan(belowTheObject);
    expect(sim.stats().media.at(-1)).toMatchObject({ key: `video:${BIG}`, status: 200, bytesSent: BIG_BYTES, completed: true });
  }, 30_000);

  test('a client that stops reading holds the server back (backpressure), memory stays flat', async () => {
    const url = await videoUrl(BIG);
    const baseline = process.memoryUsage().arrayBuffers;
    const received = await new Promise<number>((resolve, reject) => {
      const req = http.get(url, { agent: false }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes >= MiB && !res.isPaused()) {
            res.pause();
            setTimeout(() => {
              req.destroy();
              resolve(bytes);
            }, 500);
          }
        });
      });
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    });
    expect(received).toBeLessThan(8 * MiB);
    expect(process.memoryUsage().arrayBuffers - baseline).toBeLessThan(32 * MiB);
    await new Promise((r) => setTimeout(r, 100));
    const record = sim.stats().media.at(-1)!;
    expect(record).toMatchObject({ key: `video:${BIG}`, completed: false });
    // What left the server is bounded by the socket buffers, not the object size.
    expect(record.bytesSent).toBeLessThan(16 * MiB);
  });

  test('any range of a multi-GiB object is served without generating from the start', async () => {
    const url = await videoUrl(HUGE);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(HUGE_BYTES));
    const start = HUGE_BYTES - 1000;
    const began = Date.now();
    const tail = await streamAndHash(url, { range: `bytes=${start}-` });
    // Generating a multi-GiB object from its start would take far longer than this generous bound.
    expect(Date.now() - began).toBeLessThan(5000);
    expect(tail.status).toBe(206);
    expect(tail.headers['content-range']).toBe(`bytes ${start}-${HUGE_BYTES - 1}/${HUGE_BYTES}`);
    expect(tail.bytes).toBe(1000);
    const again = await streamAndHash(url, { range: `bytes=${start}-` });
    expect(again.md5).toBe(tail.md5);
    // The free box that pads an object over 4 GiB after the sample video uses the 64-bit size.
    const at = SAMPLE_VIDEO.length;
    const padding = await streamAndHash(url, { range: `bytes=${at}-${at + 15}` });
    expect(padding.first.readUInt32BE(0)).toBe(1);
    expect(padding.first.subarray(4, 8).toString('latin1')).toBe('free');
    expect(padding.first.readBigUInt64BE(8)).toBe(BigInt(HUGE_BYTES - at));
  });
});
