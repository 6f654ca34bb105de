import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { SimulatorContext } from './context';
import { API_HEADERS, apiError, sendJson, sendText } from './http-util';
import type { RateDecision } from './rate-limiter';
import { classifyOperation, routeApi, type ApiResult } from './routes-api';

/**
 * The gateway in front of the Results API (/api/v2 and /api/v3 alike), in the order a real one applies its steps:
 *  1. number the call (fault schedules count every /api/v2 and /api/v3 request, 1-based);
 *  2. `revokeTokenAtCall`: revoke the token presented on that call;
 *  3. authenticate the bearer token → 401 (not charged: no client is identified);
 *  4. `rateLimitLockout` / `rateLimitBurst` → 429 (not charged, remaining 0, reset = what is left of it);
 *  5. charge the client's budget → 429 past it, with Retry-After;
 *  6. `serverErrorStorm` / `serverErrorEveryNth` → 500/503 (charged: the failure is behind the gateway);
 *  7. the endpoint (400/404/200, all charged).
 * Every answer carries x-ratelimit-limit/-remaining/-reset (for a 401, the state of the client the
 * token names if it can be told, else a fresh window) and is recorded in the stats.
 */

function rateHeaders(d: RateDecision): OutgoingHttpHeaders {
  return { 'x-ratelimit-limit': d.limit, 'x-ratelimit-remaining': d.remaining, 'x-ratelimit-reset': d.resetSeconds };
}

export function handleApi(ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const at = Date.now();
  const callNo = ++ctx.apiCalls;
  const method = req.method ?? 'GET';
  const operation = classifyOperation(method, url.pathname);
  let faultInjected: string | undefined;

  const testId = testOfRequest(ctx, url);
  const finish = (status: number, clientId: string | undefined, send: () => void) => {
    ctx.stats.call({ at, ...(clientId ? { clientId } : {}), operation, status, ...(testId ? { testId } : {}), ...(faultInjected ? { faultInjected } : {}) });
    send();
  };

  if (ctx.faults.revokesTokenAt(callNo)) {
    const presented = ctx.tokens.authenticate(req.headers.authorization, at);
    if (presented.ok) {
      ctx.tokens.revoke(presented.token);
      faultInjected = 'revokeToken';
    }
  }

  const auth = ctx.tokens.authenticate(req.headers.authorization, at);
  if (!auth.ok) {
    const headers = {
      ...API_HEADERS,
      ...rateHeaders(ctx.limiter.peek(auth.clientId, at)),
      'www-authenticate': auth.reason === 'missing' ? 'Bearer' : 'Bearer error="invalid_token"',
    };
    return finish(401, auth.clientId, () => sendJson(res, 401, apiError(401, 'Unauthorized'), headers));
  }
  const clientId = auth.clientId;

  const lockoutReset = ctx.faults.lockoutResetSeconds(callNo, at);
  const burstReset = lockoutReset ?? ctx.faults.burstResetSeconds(callNo);
  if (burstReset !== undefined) {
    faultInjected = lockoutReset !== undefined ? 'rateLimitLockout' : 'rateLimitBurst';
    const limit = ctx.scenario.rateLimit.limit;
    const headers = { ...API_HEADERS, ...rateHeaders({ allowed: false, limit, remaining: 0, resetSeconds: burstReset }), 'retry-after': String(burstReset) };
    return finish(429, clientId, () => sendJson(res, 429, apiError(429, tooManyMessage(ctx)), headers));
  }

  const decision = ctx.limiter.consume(clientId, at);
  const headers = { ...API_HEADERS, ...rateHeaders(decision) };
  if (!decision.allowed) {
    return finish(429, clientId, () => sendJson(res, 429, apiError(429, tooManyMessage(ctx)), { ...headers, 'retry-after': String(decision.resetSeconds) }));
  }

  const serverError = ctx.faults.serverErrorFor(callNo);
  if (serverError) {
    faultInjected = 'serverError';
    const message = serverError === 500 ? 'Internal server error' : 'Service Unavailable';
    const extra = serverError === 503 ? { 'retry-after': '1' } : {};
    return finish(serverError, clientId, () => sendJson(res, serverError, apiError(serverError, message), { ...headers, ...extra }));
  }

  let result: ApiResult;
  try {
    result = routeApi(ctx, method, url.pathname, url.searchParams);
  } catch (err) {
    ctx.log?.(`simulator: internal error on ${method} ${url.pathname}: ${(err as Error).message}`);
    result = { status: 500, json: apiError(500, 'Internal server error') };
  }
  if (result.status === 200 && result.json !== undefined) {
    const malformed = ctx.faults.takeMalformed(operation);
    if (malformed) {
      result = malform(result.json, malformed);
      faultInjected = `malformed:${malformed}`;
    }
  }
  if (result.fault) faultInjected = result.fault;
  finish(result.status, clientId, () => {
    if (result.text) sendText(res, result.status, result.text.contentType, result.text.body, headers);
    else sendJson(res, result.status, result.json, headers);
  });
}

/** A 200 answer that breaks the API's promises in one way (see `malformedAnswers`). */
function malform(json: unknown, kind: 'html' | 'empty' | 'missingField' | 'wrongType' | 'extraFields'): ApiResult {
  if (kind === 'html')
    return {
      status: 200,
      text: { contentType: 'text/html; charset=utf-8', body: '<!DOCTYPE html><html><body><h1>Service temporarily unavailable</h1></body></html>' },
    };
  if (kind === 'empty') return { status: 200, text: { contentType: 'application/json', body: '' } };
  const copy = JSON.parse(JSON.stringify(json)) as Record<string, unknown>;
  const first = Object.keys(copy).find((k) => k !== 'meta') ?? 'meta';
  if (kind === 'missingField') delete copy[first];
  else if (kind === 'wrongType') copy[first] = 42;
  else Object.assign(copy, { addedInAFutureVersion: { nested: true }, anotherNewField: 'x' });
  return { status: 200, json: copy };
}

/** The test a request is about (by its test id, or the test of its session), for per-test statistics. */
function testOfRequest(ctx: SimulatorContext, url: URL): string | undefined {
  const byQuery = url.searchParams.get('testId');
  if (byQuery) return byQuery.toLowerCase();
  const byTest = /\/testResults\/([0-9a-fA-F-]{36})/.exec(url.pathname);
  if (byTest) return byTest[1].toLowerCase();
  const bySession = /\/sessionResults\/([0-9a-fA-F-]{36})/.exec(url.pathname);
  return bySession ? ctx.world.session(bySession[1])?.test.testId.toLowerCase() : undefined;
}

function tooManyMessage(ctx: SimulatorContext): string {
  const { limit, windowMs } = ctx.scenario.rateLimit;
  const per = windowMs === 60_000 ? 'minute' : `${windowMs} ms`;
  return `Too many requests. Maximum of ${limit} requests per ${per}.`;
}
