import http from 'node:http';
import { startSimulator, type RunningSimulator, type ScenarioInput } from '../../simulator';
import { jsonOf, tokenFor } from '../support/simulator-http';

const TEST_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const SLOW = '5a1d8707-0cf1-47d4-86f3-7c7b8722921d';
const FAST = '41f72104-5f84-44fa-a16a-03f5751596ec';

const list = (sim: RunningSimulator, token: string) =>
  fetch(`${sim.baseUrl}/api/v2/sessionResults?testId=${TEST_ID}`, { headers: { authorization: `Bearer ${token}` } });

async function withSimulator(scenario: ScenarioInput, body: (sim: RunningSimulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator({
    scenario: {
      tests: [
        {
          testId: TEST_ID,
          sessions: [
            { sessionId: SLOW, videoBytes: 100_000 },
            { sessionId: FAST, videoBytes: 100_000 },
          ],
        },
      ],
      ...scenario,
    },
    port: 0,
  });
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

describe('simulator injected faults', () => {
  test('serverErrorEveryNth: every Nth call answers 500, then 503, alternately, with a JSON body; charged to the budget', () =>
    withSimulator({ rateLimit: { limit: 100 }, faults: { serverErrorEveryNth: 3 } }, async (sim) => {
      const token = await tokenFor(sim);
      const seen: Array<[number, string | null]> = [];
      for (let i = 1; i <= 9; i++) {
        const res = await list(sim, token);
        seen.push([res.status, res.headers.get('x-ratelimit-remaining')]);
        if (res.status >= 500) {
          expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
          expect((await jsonOf(res)).statusCode).toBe(res.status);
        }
      }
      expect(seen).toEqual([
        [200, '99'],
        [200, '98'],
        [500, '97'],
        [200, '96'],
        [200, '95'],
        [503, '94'],
        [200, '93'],
        [200, '92'],
        [500, '91'],
      ]);
      expect(
        sim
          .stats()
          .calls.filter((c) => c.faultInjected)
          .map((c) => [c.status, c.faultInjected]),
      ).toEqual([
        [500, 'serverError'],
        [503, 'serverError'],
        [500, 'serverError'],
      ]);
    }));

  test('rateLimitBurst: those calls answer 429 (remaining 0, short reset) whatever the budget, and are not charged', () =>
    withSimulator({ rateLimit: { limit: 100 }, faults: { rateLimitBurst: { atCall: 2, count: 2, resetSeconds: 2 } } }, async (sim) => {
      const token = await tokenFor(sim);
      const first = await list(sim, token);
      expect(first.headers.get('x-ratelimit-remaining')).toBe('99');
      for (let i = 0; i < 2; i++) {
        const res = await list(sim, token);
        expect(res.status).toBe(429);
        expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
        expect(res.headers.get('x-ratelimit-reset')).toBe('2');
        expect(res.headers.get('retry-after')).toBe('2');
        expect((await jsonOf(res)).statusCode).toBe(429);
      }
      const after = await list(sim, token);
      expect(after.status).toBe(200);
      expect(after.headers.get('x-ratelimit-remaining')).toBe('98');
      expect(sim.stats().calls.map((c) => c.faultInjected ?? '-')).toEqual(['-', 'rateLimitBurst', 'rateLimitBurst', '-']);
    }));

  test('revokeTokenAtCall: that call and every later use of the token → 401; a new token works', () =>
    withSimulator({ rateLimit: { limit: 100 }, faults: { revokeTokenAtCall: 3 } }, async (sim) => {
      const token = await tokenFor(sim);
      expect((await list(sim, token)).status).toBe(200);
      expect((await list(sim, token)).status).toBe(200);
      const revoked = await list(sim, token);
      expect(revoked.status).toBe(401);
      expect(await jsonOf(revoked)).toEqual({ statusCode: 401, message: 'Unauthorized' });
      expect((await list(sim, token)).status).toBe(401);
      expect((await list(sim, await tokenFor(sim))).status).toBe(200);
      expect(sim.stats().calls.map((c) => `${c.status}${c.faultInjected ? ' ' + c.faultInjected : ''}`)).toEqual([
        '200',
        '200',
        '401 revokeToken',
        '401',
        '200',
      ]);
    }));

  test('slowMedia throttles the listed objects only; a client that goes away mid-body is recorded as incomplete', () =>
    withSimulator({ rateLimit: { limit: 100 }, faults: { slowMedia: { bytesPerSecond: 50_000, keys: [`video:${SLOW}`] } } }, async (sim) => {
      const token = await tokenFor(sim);
      const link = async (sessionId: string) =>
        (await jsonOf(await fetch(`${sim.baseUrl}/api/v2/sessionResults/${sessionId}/videoDownloadUrl`, { headers: { authorization: `Bearer ${token}` } })))
          .videoUrl as string;
      let started = Date.now();
      expect((await (await fetch(await link(FAST))).arrayBuffer()).byteLength).toBe(100_000);
      const fastMs = Date.now() - started;
      started = Date.now();
      expect((await (await fetch(await link(SLOW))).arrayBuffer()).byteLength).toBe(100_000);
      const slowMs = Date.now() - started;
      // 100 kB at 50 kB/s: 2 s at least; the unthrottled one takes a fraction of that even when the machine is busy.
      expect(slowMs).toBeGreaterThanOrEqual(1900);
      expect(fastMs).toBeLessThan(slowMs / 2);

      const slowUrl = await link(SLOW);
      const received = await new Promise<number>((resolve, reject) => {
        let bytes = 0;
        const req = http.get(slowUrl, { agent: false }, (res) => {
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            if (bytes >= 20_000) req.destroy();
          });
        });
        req.on('close', () => resolve(bytes));
        req.on('error', (e) => (e.message === 'socket hang up' || (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve(bytes) : reject(e)));
      });
      expect(received).toBeLessThan(100_000);
      // The simulator records the transfer once it sees the connection close.
      for (let waited = 0; sim.stats().media.length < 3 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      const last = sim.stats().media.at(-1)!;
      expect(last).toMatchObject({ key: `video:${SLOW}`, status: 200, completed: false });
      expect(last.bytesSent).toBeLessThan(100_000);
    }));

  test('close() ends in-flight slow downloads promptly', async () => {
    const sim = await startSimulator({
      scenario: { tests: [{ testId: TEST_ID, sessions: [{ sessionId: SLOW, videoBytes: 10_000_000 }] }], faults: { slowMedia: { bytesPerSecond: 100_000 } } },
      port: 0,
    });
    const token = await tokenFor(sim);
    const { videoUrl } = await jsonOf(
      await fetch(`${sim.baseUrl}/api/v2/sessionResults/${SLOW}/videoDownloadUrl`, { headers: { authorization: `Bearer ${token}` } }),
    );
    const download = fetch(videoUrl).then((r) => r.arrayBuffer());
    const outcome = download.then(
      () => 'complete',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await sim.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await outcome).toBe('failed');
  });
});
