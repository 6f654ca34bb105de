import { startSimulator, type RunningSimulator, type ScenarioInput } from '../../simulator';
import { jsonOf, tokenFor } from '../support/simulator-http';

const TEST_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function list(sim: RunningSimulator, token?: string, query = `testId=${TEST_ID}`) {
  return fetch(`${sim.baseUrl}/api/v2/sessionResults?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

const rate = (res: Response) => [
  res.status,
  res.headers.get('x-ratelimit-limit'),
  res.headers.get('x-ratelimit-remaining'),
  res.headers.get('x-ratelimit-reset'),
];

async function withSimulator(scenario: ScenarioInput, body: (sim: RunningSimulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ scenario: { tests: [{ testId: TEST_ID, sessions: [{}] }], ...scenario }, port: 0 });
  try {
    await body(sim);
  } finally {
    await sim.close();
  }
}

describe('simulator rate limit (fixed window per client)', () => {
  test('headers count down on every response; past the budget 429 with Retry-After; the window resets', () =>
    withSimulator({ rateLimit: { limit: 3, windowMs: 1500 } }, async (sim) => {
      const token = await tokenFor(sim);
      // Seconds to the window's end, rounded up: 2 within its first half second, 1 on a slow machine.
      const reset = expect.stringMatching(/^[12]$/);
      expect(rate(await list(sim, token))).toEqual([200, '3', '2', reset]);
      expect(rate(await list(sim, token, 'testId=bad'))).toEqual([400, '3', '1', reset]); // errors are charged too
      expect(rate(await list(sim, token))).toEqual([200, '3', '0', reset]);
      const limited = await list(sim, token);
      expect(rate(limited)).toEqual([429, '3', '0', reset]);
      expect(limited.headers.get('retry-after')).toBe(limited.headers.get('x-ratelimit-reset'));
      expect(limited.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await jsonOf(limited)).toEqual({ statusCode: 429, message: 'Too many requests. Maximum of 3 requests per 1500 ms.', error: 'Too Many Requests' });
      expect((await list(sim, token)).status).toBe(429);
      await sleep(1550);
      expect(rate(await list(sim, token))).toEqual([200, '3', '2', reset]);
      expect(sim.stats().calls.map((c) => c.status)).toEqual([200, 400, 200, 429, 429, 200]);
    }));

  test('the default budget is 10 per minute, announced as such', () =>
    withSimulator({}, async (sim) => {
      const token = await tokenFor(sim);
      const statuses: string[][] = [];
      for (let i = 0; i < 11; i++) {
        const res = await list(sim, token);
        statuses.push([String(res.status), res.headers.get('x-ratelimit-remaining')!]);
        if (res.status === 429) {
          expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(55);
          expect((await jsonOf(res)).message).toBe('Too many requests. Maximum of 10 requests per minute.');
        }
      }
      expect(statuses.map((s) => s.join(' '))).toEqual([...Array.from({ length: 10 }, (_, i) => `200 ${9 - i}`), '429 0']);
    }));

  test('each client has its own budget; 401s and token requests are not charged', () =>
    withSimulator(
      {
        rateLimit: { limit: 2, windowMs: 60_000 },
        clients: [
          { clientId: 'a', clientSecret: 'sa' },
          { clientId: 'b', clientSecret: 'sb' },
        ],
      },
      async (sim) => {
        const a = await tokenFor(sim, 'a', 'sa');
        const b = await tokenFor(sim, 'b', 'sb');
        expect(rate(await list(sim, a))).toEqual([200, '2', '1', '60']);
        for (let i = 0; i < 3; i++) {
          const denied = await list(sim, 'bogus');
          expect(rate(denied)).toEqual([401, '2', '2', '60']);
        }
        await tokenFor(sim, 'a', 'sa');
        expect(rate(await list(sim, b))).toEqual([200, '2', '1', '60']);
        expect(rate(await list(sim, a))).toEqual([200, '2', '0', '60']);
        expect((await list(sim, a)).status).toBe(429);
        expect(rate(await list(sim, b))).toEqual([200, '2', '0', '60']);
        expect(
          sim
            .stats()
            .calls.filter((c) => c.status !== 401)
            .map((c) => `${c.clientId} ${c.status}`),
        ).toEqual(['a 200', 'b 200', 'a 200', 'a 429', 'b 200']);
      },
    ));
});
