import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import {
  BadRequestError,
  InvalidCredentialsError,
  InvalidResponseError,
  NotFoundError,
  RateLimitedError,
  TransientApiError,
  UnauthorizedError,
  type ApiOperation,
} from './errors';
import { numberHeader } from './http-headers';
import { DEFAULT_HTTP_TIMEOUT_MS } from './http-timeout';
import { redactSecrets } from './redact';
import { checkResponse } from './response-check';
import { requestSent } from './request-tally';
import {
  clipDetailSchema,
  clipListSchema,
  qxScoresSchema,
  reelDetailSchema,
  reelListSchema,
  sessionDetailsSchema,
  sessionListSchema,
  videoDownloadSchema,
  type ClipList,
  type GenerationStatus,
  type QxScores,
  type ReelList,
  type SessionDetails,
  type SessionList,
} from './schemas';
import type { TokenProvider } from './token-provider';

/** A reel or clip detail answer. `link` is secret: use it at once, never return or log it. */
export interface GenerationState {
  status: GenerationStatus;
  link?: string;
}

export interface ResultsApiClient {
  listSessions(testId: string, offset: number, limit: number): Promise<SessionList>;
  listReels(testId: string): Promise<ReelList>;
  getReelDetail(testId: string, reelId: string): Promise<GenerationState>;
  listClips(sessionId: string): Promise<ClipList>;
  getClipDetail(sessionId: string, clipId: string): Promise<GenerationState>;
  /** The pre-signed video link; secret, valid 1 h. */
  getVideoDownloadUrl(sessionId: string): Promise<{ link: string; expiresAt: string }>;
  /** The WebVTT body, streamed. */
  openTranscript(sessionId: string): Promise<{ body: Readable; contentType: string }>;
  /** Participant demographics, task groups and task responses of one session (v3). */
  getSessionDetails(sessionId: string): Promise<SessionDetails>;
  /** The QXscores of an interaction test. */
  getQxScores(testId: string): Promise<QxScores>;
}

/** Told about every request the client sends or refuses to send (for metrics). */
export interface ApiRequestMetrics {
  /** The HTTP status of an answer, or 'error' when none came (network failure, timeout). */
  requestAnswered(operation: ApiOperation, status: number | 'error'): void;
  /** A 429, or a request refused locally while the window is spent: the activity's retry waits `waitMs`. */
  heldBack(waitMs: number): void;
}

export interface ResultsApiClientOptions {
  baseUrl: string;
  tokens: TokenProvider;
  metrics?: ApiRequestMetrics;
  dispatcher?: Dispatcher;
  /** Applied to headers and to idle time between body chunks; below the listing activities' 1 min limit. @default 30000 */
  timeoutMs?: number;
  /** @default Date.now */
  now?: () => number;
}

const RETRYABLE_STATUS = new Set([408, 409, 425, 500, 502, 503, 504]);

/**
 * The Results API v2. Every method makes exactly one request and never retries by itself: retries
 * are Temporal activity retries, so they pass through the task queue's rate limit like any request.
 */
export function createResultsApiClient(options: ResultsApiClientOptions): ResultsApiClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeout = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  // When the window is spent (a 429, or a response saying nothing is left), the API would refuse
  // every request until it resets: none is sent before then, whichever activity asks.
  let refusedUntil = 0;
  const holdBackUntilReset = (headers: Dispatcher.ResponseData['headers']) => {
    refusedUntil = Math.max(refusedUntil, now() + retryAfterMs(headers));
  };

  async function send(operation: ApiOperation, path: string, what: string, accept = 'application/json'): Promise<Dispatcher.ResponseData> {
    if (now() < refusedUntil) {
      const waitMs = refusedUntil - now();
      options.metrics?.heldBack(waitMs);
      throw new RateLimitedError(operation, waitMs);
    }
    const token = await options.tokens.getToken();
    let response: Dispatcher.ResponseData;
    requestSent();
    try {
      response = await request(`${base}${path}`, {
        method: 'GET',
        dispatcher: options.dispatcher,
        headers: { authorization: `Bearer ${token}`, accept },
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    } catch (err) {
      options.metrics?.requestAnswered(operation, 'error');
      throw new TransientApiError(`${operation}: request failed: ${redactSecrets((err as Error).message)}`, operation);
    }
    const status = response.statusCode;
    options.metrics?.requestAnswered(operation, status);
    if (status !== 429 && numberHeader(response.headers['x-ratelimit-remaining']) === 0) holdBackUntilReset(response.headers);
    if (status >= 200 && status < 300) return response;
    const detail = await readErrorDetail(response);
    switch (true) {
      case status === 429: {
        const waitMs = retryAfterMs(response.headers);
        holdBackUntilReset(response.headers);
        options.metrics?.heldBack(waitMs);
        throw new RateLimitedError(operation, waitMs);
      }
      case status === 401:
        if (!options.tokens.canRefresh)
          throw new InvalidCredentialsError(401, 'the API rejected UT_ACCESS_TOKEN (expired or revoked); set a fresh one or use client credentials');
        options.tokens.invalidate(token);
        throw new UnauthorizedError(operation);
      case status === 400:
        throw new BadRequestError(operation, detail);
      case status === 404:
        throw new NotFoundError(operation, what);
      case status >= 500 || RETRYABLE_STATUS.has(status):
        throw new TransientApiError(`${operation}: server answered ${status}`, operation, status);
      default:
        throw new InvalidResponseError(`${operation}: unexpected status ${status}${detail ? `: ${detail}` : ''}`, operation, status);
    }
  }

  /** `asAnswered`: the body itself once it passed the schema (key order and unknown fields kept), not the schema's output. */
  async function json<S extends z.ZodType>(operation: ApiOperation, path: string, what: string, schema: S, asAnswered = false): Promise<z.output<S>> {
    const response = await send(operation, path, what);
    let body: unknown;
    try {
      body = await response.body.json();
    } catch (err) {
      throw new TransientApiError(`${operation}: response body unreadable: ${redactSecrets((err as Error).message)}`, operation, response.statusCode);
    }
    const checked = checkResponse(schema, body);
    if (!checked.ok) {
      const { problem } = checked;
      const why = problem.kind === 'unusable' ? 'the answer cannot be used' : 'the answer does not match the API description';
      throw new InvalidResponseError(`${operation}: ${why}: ${problem.message}`, operation, response.statusCode);
    }
    return asAnswered ? (body as z.output<S>) : checked.data;
  }

  const seg = encodeURIComponent;
  return {
    async listSessions(testId, offset, limit) {
      const list = await json(
        'listSessions',
        `/api/v2/sessionResults?testId=${seg(testId)}&limit=${limit}&offset=${offset}`,
        `test ${testId}`,
        sessionListSchema,
      );
      refuseOtherObject('listSessions', 'testId', 'test', list.testId, testId);
      return list;
    },
    listReels: (testId) => json('listReels', `/api/v2/testResults/${seg(testId)}/highlightreels`, `highlight reels of test ${testId}`, reelListSchema),
    async getReelDetail(testId, reelId) {
      const r = await json('reelDetail', `/api/v2/testResults/${seg(testId)}/highlightreels/${seg(reelId)}`, `highlight reel ${reelId}`, reelDetailSchema);
      refuseOtherObject('reelDetail', 'reelId', 'highlight reel', r.reelId, reelId);
      return { status: r.status, link: r.reelUrl ?? undefined };
    },
    listClips: (sessionId) => json('listClips', `/api/v2/sessionResults/${seg(sessionId)}/clips`, `clips of session ${sessionId}`, clipListSchema),
    async getClipDetail(sessionId, clipId) {
      const r = await json('clipDetail', `/api/v2/sessionResults/${seg(sessionId)}/clips/${seg(clipId)}`, `clip ${clipId}`, clipDetailSchema);
      refuseOtherObject('clipDetail', 'clipUuid', 'clip', r.clipUuid, clipId);
      return { status: r.status, link: r.clipUrl ?? undefined };
    },
    async getVideoDownloadUrl(sessionId) {
      const r = await json(
        'videoDownloadUrl',
        `/api/v2/sessionResults/${seg(sessionId)}/videoDownloadUrl`,
        `video of session ${sessionId}`,
        videoDownloadSchema,
      );
      refuseOtherObject('videoDownloadUrl', 'sessionId', 'session', r.sessionId, sessionId);
      return { link: r.videoUrl, expiresAt: r.expiresAt };
    },
    async openTranscript(sessionId) {
      const response = await send(
        'transcript',
        `/api/v2/sessionResults/${seg(sessionId)}/transcript`,
        `transcript of session ${sessionId}`,
        'text/vtt, text/plain;q=0.9, */*;q=0.1',
      );
      return { body: response.body, contentType: 'text/vtt' };
    },
    async getSessionDetails(sessionId) {
      const details = await json('sessionDetails', `/api/v3/sessionResults/${seg(sessionId)}`, `details of session ${sessionId}`, sessionDetailsSchema, true);
      if (details.sessionId !== null) refuseOtherObject('sessionDetails', 'sessionId', 'session', details.sessionId, sessionId);
      return details;
    },
    async getQxScores(testId) {
      const scores = await json('qxScores', `/api/v2/testResults/${seg(testId)}/qxScores`, `QXscores of test ${testId}`, qxScoresSchema, true);
      refuseOtherObject('qxScores', 'testId', 'test', scores.testId, testId);
      return scores;
    },
  };
}

/** One rule for every kind: an answer that names another object than the one asked for is refused. */
function refuseOtherObject(operation: ApiOperation, field: string, what: string, answered: string, asked: string): void {
  if (answered.toLowerCase() !== asked.toLowerCase())
    throw new InvalidResponseError(`${operation}: the answer is about another ${what} (its ${field} is not the one asked for)`, operation, 200);
}

const MAX_RESET_MS = 3_600_000;

/** x-ratelimit-reset is seconds until the window resets; Retry-After is the standard fallback. */
export function retryAfterMs(headers: Dispatcher.ResponseData['headers']): number {
  for (const name of ['x-ratelimit-reset', 'retry-after']) {
    const seconds = numberHeader(headers[name]);
    // Clamped: a reset that is an epoch or nonsense must not stop every request for days.
    if (seconds !== undefined) return Math.min(MAX_RESET_MS, Math.max(1000, Math.ceil(seconds * 1000)));
  }
  return 60_000;
}

async function readErrorDetail(response: Dispatcher.ResponseData): Promise<string> {
  try {
    const text = (await response.body.text()).slice(0, 500);
    try {
      const parsed = JSON.parse(text);
      const message = parsed.message ?? parsed.error_description ?? parsed.error ?? '';
      return redactSecrets(Array.isArray(message) ? message.join('; ') : String(message)).slice(0, 200);
    } catch {
      return '';
    }
  } catch {
    return '';
  }
}
