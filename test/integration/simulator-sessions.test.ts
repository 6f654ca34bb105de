import { startSimulator, type RunningSimulator } from '../../simulator';

/** Response bodies are checked field by field with expect(); untyped JSON keeps that readable. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const jsonOf = (res: Response): Promise<any> => res.json();

const TEST_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const OTHER_TEST = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';

describe('simulator session list and request validation', () => {
  let sim: RunningSimulator;
  let token: string;
  const get = (path: string) => fetch(`${sim.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    sim = await startSimulator({
      scenario: {
        seed: 11,
        rateLimit: { limit: 10_000 },
        pageCap: 20,
        tests: [
          // Given oldest first on purpose: the API lists newest first.
          { testId: TEST_ID, sessions: Array.from({ length: 45 }, (_, i) => ({ startTime: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString() })) },
          { testId: OTHER_TEST, sessions: [] },
        ],
      },
      port: 0,
    });
    const res = await fetch(sim.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=studies%3Aread&client_id=demo-client&client_secret=demo-secret',
    });
    token = (await jsonOf(res)).access_token;
  });
  afterAll(() => sim.close());

  test('first page: defaults limit 25 offset 0, newest first, documented fields and headers', async () => {
    const res = await get(`/api/v2/sessionResults?testId=${TEST_ID}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const body = await jsonOf(res);
    expect(body.testId).toBe(TEST_ID);
    // The page cap (20) is below the default limit (25): trust the returned limit.
    expect(body.meta).toEqual({ pagination: { limit: 20, offset: 0, totalCount: 45 } });
    expect(body.sessions).toHaveLength(20);
    expect(Object.keys(body.sessions[0]).sort()).toEqual(['audienceId', 'finishTime', 'sessionId', 'startTime', 'status']);
    expect(body.sessions[0].status).toBe('COMPLETE');
    const starts = body.sessions.map((s: { startTime: string }) => Date.parse(s.startTime));
    expect(starts[0]).toBe(Date.UTC(2025, 0, 1) + 44 * 3_600_000);
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);
  });

  test('explicit limit and offset; pages join up to every session exactly once; last page is short', async () => {
    const seen: string[] = [];
    for (let offset = 0; ; offset += 10) {
      const body = await jsonOf(await get(`/api/v2/sessionResults?testId=${TEST_ID}&limit=10&offset=${offset}`));
      expect(body.meta.pagination).toEqual({ limit: 10, offset, totalCount: 45 });
      seen.push(...body.sessions.map((s: { sessionId: string }) => s.sessionId));
      if (body.sessions.length < 10) {
        expect(offset).toBe(40);
        expect(body.sessions).toHaveLength(5);
        break;
      }
    }
    expect(new Set(seen).size).toBe(45);
    expect(seen).toEqual(sim.scenario.tests[0].sessions.map((s) => s.sessionId).reverse());
  });

  test('limit above the page cap is capped (meta.pagination.limit = cap); offset past the end → empty page', async () => {
    const capped = await jsonOf(await get(`/api/v2/sessionResults?testId=${TEST_ID}&limit=500`));
    expect(capped.meta.pagination).toEqual({ limit: 20, offset: 0, totalCount: 45 });
    expect(capped.sessions).toHaveLength(20);
    const past = await jsonOf(await get(`/api/v2/sessionResults?testId=${TEST_ID}&offset=10000`));
    expect(past).toEqual({ testId: TEST_ID, sessions: [], meta: { pagination: { limit: 20, offset: 10000, totalCount: 45 } } });
  });

  test('a test without sessions lists none', async () => {
    const body = await jsonOf(await get(`/api/v2/sessionResults?testId=${OTHER_TEST}`));
    expect(body).toEqual({ testId: OTHER_TEST, sessions: [], meta: { pagination: { limit: 20, offset: 0, totalCount: 0 } } });
  });

  test.each([
    ['limit=0', /limit must not be less than 1/],
    ['limit=501', /limit must not be greater than 500/],
    ['offset=-1', /offset must not be less than 0/],
    ['offset=10001', /offset must not be greater than 10000/],
    ['limit=abc', /limit must be an integer/],
    ['limit=2.5', /limit must be an integer/],
    ['offset=', /offset must be an integer/],
  ])('%s → 400 naming the parameter', async (query, message) => {
    const res = await get(`/api/v2/sessionResults?testId=${TEST_ID}&${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-ratelimit-limit')).toBe('10000');
    const body = await jsonOf(res);
    expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(body.message).toMatch(message);
  });

  test('testId missing or not a UUID → 400; unknown test → 404', async () => {
    for (const path of ['/api/v2/sessionResults', '/api/v2/sessionResults?testId=123']) {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect((await jsonOf(res)).message).toMatch(/testId must be a UUID/);
    }
    const res = await get('/api/v2/sessionResults?testId=00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(await jsonOf(res)).toEqual({ statusCode: 404, message: 'Test not found', error: 'Not Found' });
  });

  test('malformed ids in paths → 400 naming the parameter; unknown ids → 404; unknown paths → 404', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['/api/v2/sessionResults/not-a-uuid/clips', 400, /sessionId must be a UUID/],
      [`/api/v2/sessionResults/${TEST_ID}/clips/xyz`, 400, /clipUuid must be a UUID/],
      ['/api/v2/sessionResults/1234/videoDownloadUrl', 400, /sessionId/],
      ['/api/v2/sessionResults/1234/transcript', 400, /sessionId/],
      ['/api/v2/testResults/abc/highlightreels', 400, /testId must be a UUID/],
      [`/api/v2/testResults/${TEST_ID}/highlightreels/abc`, 400, /reelId must be a UUID/],
      ['/api/v2/sessionResults/00000000-0000-4000-8000-000000000000/clips', 404, /Session not found/],
      ['/api/v2/sessionResults/00000000-0000-4000-8000-000000000000/videoDownloadUrl', 404, /Session not found/],
      ['/api/v2/testResults/00000000-0000-4000-8000-000000000000/highlightreels', 404, /Test not found/],
      [`/api/v2/testResults/${TEST_ID}/highlightreels/00000000-0000-4000-8000-000000000000`, 404, /Highlight reel not found/],
      ['/api/v2/nothingHere', 404, /Cannot GET/],
    ];
    for (const [path, status, message] of cases) {
      const res = await get(path);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect((await jsonOf(res)).message).toMatch(message);
    }
    const outside = await fetch(`${sim.baseUrl}/nowhere`);
    expect(outside.status).toBe(404);
  });

  test('each call is recorded with its operation', async () => {
    sim.resetStats();
    await get(`/api/v2/sessionResults?testId=${TEST_ID}`);
    await get('/api/v2/sessionResults/not-a-uuid/clips');
    await get('/api/v2/whatever');
    const calls = sim.stats().calls;
    expect(calls.map((c) => [c.operation, c.status, c.clientId])).toEqual([
      ['listSessions', 200, 'demo-client'],
      ['listClips', 400, 'demo-client'],
      ['unknown', 404, 'demo-client'],
    ]);
    expect(calls[0].at).toBeGreaterThan(Date.now() - 10_000);
  });
});
