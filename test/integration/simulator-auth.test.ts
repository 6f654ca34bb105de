import { startSimulator, type RunningSimulator } from '../../simulator';

/** Response bodies are checked field by field with expect(); untyped JSON keeps that readable. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const jsonOf = (res: Response): Promise<any> => res.json();

const TEST_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function tokenRequest(sim: RunningSimulator, form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(sim.tokenUrl, { method: 'POST', headers: { ...FORM, ...headers }, body: new URLSearchParams(form) });
}

function listSessions(sim: RunningSimulator, authorization?: string) {
  return fetch(`${sim.baseUrl}/api/v2/sessionResults?testId=${TEST_ID}`, { headers: authorization ? { authorization } : {} });
}

describe('simulator OAuth token endpoint and bearer auth', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      scenario: {
        clients: [
          { clientId: 'demo-client', clientSecret: 'demo-secret' },
          { clientId: 'other client', clientSecret: 's3cr:et' },
        ],
        staticTokens: ['static-token-1'],
        tests: [{ testId: TEST_ID, sessions: [{}] }],
      },
      port: 0,
    });
  });
  afterAll(() => sim.close());

  test('issues a JWT-shaped bearer token for form credentials', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await tokenRequest(sim, { grant_type: 'client_credentials', scope: 'studies:read', client_id: 'demo-client', client_secret: 'demo-secret' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await jsonOf(res);
    expect(body).toEqual({ token_type: 'Bearer', expires_in: 3600, access_token: expect.any(String), scope: 'studies:read' });
    const [header, payload, signature] = body.access_token.split('.');
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'demo-client', cid: 'demo-client', scp: ['studies:read'] });
    expect(claims.exp - claims.iat).toBe(3600);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    const api = await listSessions(sim, `Bearer ${body.access_token}`);
    expect(api.status).toBe(200);
  });

  test('accepts HTTP Basic client authentication (form-urlencoded parts)', async () => {
    const basic = Buffer.from(`${encodeURIComponent('other client')}:${encodeURIComponent('s3cr:et')}`).toString('base64');
    const res = await tokenRequest(sim, { grant_type: 'client_credentials', scope: 'studies:read' }, { authorization: `Basic ${basic}` });
    expect(res.status).toBe(200);
    const { access_token } = await jsonOf(res);
    expect(JSON.parse(Buffer.from(access_token.split('.')[1], 'base64url').toString()).sub).toBe('other client');
  });

  test('wrong secret or unknown client → 401 invalid_client', async () => {
    const wrong = await tokenRequest(sim, { grant_type: 'client_credentials', scope: 'studies:read', client_id: 'demo-client', client_secret: 'nope' });
    expect(wrong.status).toBe(401);
    expect(await jsonOf(wrong)).toMatchObject({ error: 'invalid_client' });
    const basic = Buffer.from('ghost:x').toString('base64');
    const unknown = await tokenRequest(sim, { grant_type: 'client_credentials', scope: 'studies:read' }, { authorization: `Basic ${basic}` });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await jsonOf(unknown)).error).toBe('invalid_client');
  });

  test('bad grant_type → 400 unsupported_grant_type; bad or missing scope → 400 invalid_scope', async () => {
    const creds = { client_id: 'demo-client', client_secret: 'demo-secret' };
    const grant = await tokenRequest(sim, { ...creds, grant_type: 'password', scope: 'studies:read' });
    expect(grant.status).toBe(400);
    expect((await jsonOf(grant)).error).toBe('unsupported_grant_type');
    const noGrant = await tokenRequest(sim, { ...creds, scope: 'studies:read' });
    expect(noGrant.status).toBe(400);
    expect((await jsonOf(noGrant)).error).toBe('invalid_request');
    const scope = await tokenRequest(sim, { ...creds, grant_type: 'client_credentials', scope: 'studies:write' });
    expect(scope.status).toBe(400);
    expect((await jsonOf(scope)).error).toBe('invalid_scope');
    const noScope = await tokenRequest(sim, { ...creds, grant_type: 'client_credentials' });
    expect(noScope.status).toBe(400);
    expect((await jsonOf(noScope)).error).toBe('invalid_scope');
  });

  test('a JSON body is not accepted (the endpoint takes a form)', async () => {
    const res = await fetch(sim.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error).toBe('invalid_request');
  });

  test('missing, malformed or unknown bearer token → 401 with the API error body', async () => {
    for (const authorization of [undefined, 'Basic abc', 'Bearer not-a-token']) {
      const res = await listSessions(sim, authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('private, no-store');
      expect(res.headers.get('x-ratelimit-limit')).toBe('10');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await jsonOf(res)).toEqual({ statusCode: 401, message: 'Unauthorized' });
    }
  });

  test('token requests are recorded without secrets', async () => {
    const stats = sim.stats();
    expect(stats.tokenRequests.length).toBeGreaterThanOrEqual(7);
    expect(stats.tokenRequests).toContainEqual(expect.objectContaining({ clientId: 'demo-client', status: 401 }));
    expect(JSON.stringify(stats)).not.toMatch(/demo-secret|s3cr|eyJ/);
  });
  test('static tokens are accepted and spend the first client budget', async () => {
    sim.resetStats();
    const res = await listSessions(sim, 'Bearer static-token-1');
    expect(res.status).toBe(200);
    expect(sim.stats().calls).toEqual([expect.objectContaining({ clientId: 'demo-client', operation: 'listSessions', status: 200 })]);
  });
});

describe('simulator token expiry', () => {
  test('a token past its TTL answers 401; a new token works', async () => {
    const sim = await startSimulator({ scenario: { tokenTtlSeconds: 1, tests: [{ testId: TEST_ID }] }, port: 0 });
    try {
      const get = async () => {
        const res = await tokenRequest(sim, {
          grant_type: 'client_credentials',
          scope: 'studies:read',
          client_id: 'demo-client',
          client_secret: 'demo-secret',
        });
        return (await jsonOf(res)) as { access_token: string; expires_in: number };
      };
      const first = await get();
      expect(first.expires_in).toBe(1);
      expect((await listSessions(sim, `Bearer ${first.access_token}`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1050));
      const expired = await listSessions(sim, `Bearer ${first.access_token}`);
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect((await listSessions(sim, `Bearer ${(await get()).access_token}`)).status).toBe(200);
      expect(sim.stats().calls.map((c) => c.status)).toEqual([200, 401, 200]);
    } finally {
      await sim.close();
    }
  });
});
