import type { SimulatorContext } from './context';
import { apiError } from './http-util';
import { UUID_PATTERN } from './scenario';
import type { ApiOperation } from './stats';
import { transcriptVtt } from './transcript';
import { hasTranscript, hasVideo } from './world';

/**
 * The Results API endpoints (v2, and the v3 session details), behind the gateway (auth, budget and faults are handled by
 * api-gateway.ts). Each handler validates ids (400 naming the parameter), looks them up (404)
 * and builds the documented response.
 */

export interface ApiResult {
  status: number;
  json?: unknown;
  text?: { contentType: string; body: string };
  fault?: string;
}

type Handler = (ctx: SimulatorContext, params: string[], query: URLSearchParams) => ApiResult;

const ID = '([^/]+)';
const ROUTES: Array<{ operation: ApiOperation; pattern: RegExp; names: string[]; handler: Handler }> = [
  { operation: 'listSessions', pattern: /^\/api\/v2\/sessionResults$/, names: [], handler: listSessions },
  { operation: 'listClips', pattern: new RegExp(`^/api/v2/sessionResults/${ID}/clips$`), names: ['sessionId'], handler: listClips },
  { operation: 'clipDetail', pattern: new RegExp(`^/api/v2/sessionResults/${ID}/clips/${ID}$`), names: ['sessionId', 'clipUuid'], handler: clipDetail },
  { operation: 'videoDownloadUrl', pattern: new RegExp(`^/api/v2/sessionResults/${ID}/videoDownloadUrl$`), names: ['sessionId'], handler: videoDownloadUrl },
  { operation: 'transcript', pattern: new RegExp(`^/api/v2/sessionResults/${ID}/transcript$`), names: ['sessionId'], handler: transcript },
  { operation: 'sessionDetails', pattern: new RegExp(`^/api/v3/sessionResults/${ID}$`), names: ['sessionId'], handler: sessionDetails },
  { operation: 'qxScores', pattern: new RegExp(`^/api/v2/testResults/${ID}/qxScores$`), names: ['testId'], handler: qxScores },
  { operation: 'listReels', pattern: new RegExp(`^/api/v2/testResults/${ID}/highlightreels$`), names: ['testId'], handler: listReels },
  { operation: 'reelDetail', pattern: new RegExp(`^/api/v2/testResults/${ID}/highlightreels/${ID}$`), names: ['testId', 'reelId'], handler: reelDetail },
];

function match(method: string, pathname: string) {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (method !== 'GET') return undefined;
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (m) return { route, params: m.slice(1).map((p) => safeDecode(p)) };
  }
  return undefined;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The operation a request is for ('unknown' when no endpoint matches). */
export function classifyOperation(method: string, pathname: string): ApiOperation {
  return match(method, pathname)?.route.operation ?? 'unknown';
}

const error = (status: number, message: string): ApiResult => ({ status, json: apiError(status, message) });

export function routeApi(ctx: SimulatorContext, method: string, pathname: string, query: URLSearchParams): ApiResult {
  const found = match(method, pathname);
  if (!found) return error(404, `Cannot ${method} ${pathname}`);
  const { route, params } = found;
  for (let i = 0; i < params.length; i++) {
    if (!UUID_PATTERN.test(params[i])) return error(400, `Validation failed: ${route.names[i]} must be a UUID`);
  }
  return route.handler(ctx, params, query);
}

/** An integer query parameter in [min, max], or an error message naming it. */
function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number | string {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) return `${name} must be an integer number`;
  const value = Number(raw);
  if (value < min) return `${name} must not be less than ${min}`;
  if (value > max) return `${name} must not be greater than ${max}`;
  return value;
}

function listSessions(ctx: SimulatorContext, _params: string[], query: URLSearchParams): ApiResult {
  const testId = query.get('testId');
  const limit = intParam(query, 'limit', 25, 1, 500);
  let offset = intParam(query, 'offset', 0, 0, 10_000);
  const problems: string[] = [];
  if (!testId || !UUID_PATTERN.test(testId)) problems.push('testId must be a UUID');
  if (typeof limit === 'string') problems.push(limit);
  if (typeof offset === 'string') problems.push(offset);
  if (problems.length > 0 || typeof limit !== 'number' || typeof offset !== 'number' || !testId) return error(400, problems.join('; '));
  const test = ctx.world.test(testId);
  if (!test) return error(404, 'Test not found');
  const effective = Math.min(limit, ctx.scenario.pageCap);
  const restartAt = ctx.scenario.faults.pagingRestartsAtOffset;
  if (restartAt !== undefined && offset >= restartAt) offset = 0;
  const newestFirst = [...test.sessions].sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime));
  return {
    status: 200,
    json: {
      testId: test.testId,
      sessions: newestFirst.slice(offset, offset + effective).map((s) => ({
        sessionId: s.sessionId,
        audienceId: s.audienceId,
        status: s.status,
        startTime: s.startTime,
        finishTime: s.finishTime,
      })),
      meta: { pagination: { limit: effective, offset, totalCount: test.sessions.length } },
    },
  };
}

/**
 * A test whose sessions are all surveys (or that has no reels) answers `{ reels: [] }` rather than
 * 404: the reference documents 404 as "test or highlight reels not found", and an empty list is
 * what a client must handle anyway (the tutorial: "if reels is an empty array ... skip").
 */
function listReels(ctx: SimulatorContext, [testId]: string[]): ApiResult {
  const test = ctx.world.test(testId);
  if (!test) return error(404, 'Test not found');
  return {
    status: 200,
    json: {
      reels: test.reels.map((r) => ({
        uuid: r.uuid,
        name: r.name,
        durationMs: r.durationMs,
        lastUpdatedAtMs: r.lastUpdatedAtMs,
        numClips: r.numClips,
        areAllClipsInReel: r.areAllClipsInReel,
      })),
      studyWithClips: test.sessions.some((s) => s.clips.length > 0),
    },
  };
}

function reelDetail(ctx: SimulatorContext, [testId, reelId]: string[]): ApiResult {
  if (!ctx.world.test(testId)) return error(404, 'Test not found');
  const reel = ctx.world.reel(testId, reelId);
  if (!reel) return error(404, 'Highlight reel not found');
  const key = `reel:${reel.uuid.toLowerCase()}`;
  const { status, fault } = ctx.generation.check(key, reel.uuid);
  const reelUrl = status === 'GENERATED' ? issueLink(ctx, key, ctx.scenario.linkTtlMs.reelAndClip).url : null;
  return { status: 200, json: { reelId: reel.uuid, status, reelUrl }, fault };
}

function sessionWithVideo(ctx: SimulatorContext, sessionId: string) {
  const found = ctx.world.session(sessionId);
  if (!found) return { problem: error(404, 'Session not found') };
  if (!hasVideo(found.session)) return { problem: error(404, 'Session video not found') };
  return { test: found.test, session: found.session };
}

function listClips(ctx: SimulatorContext, [sessionId]: string[]): ApiResult {
  const { problem, test, session } = sessionWithVideo(ctx, sessionId);
  if (problem) return problem;
  const withCamera = session.productType === 'LIVE_CONVERSATION' || session.clips.some((c) => c.hasCamera);
  return {
    status: 200,
    json: {
      studyUuid: test.testId,
      clips: session.clips.map((c) => ({
        uuid: c.uuid,
        name: c.name,
        description: c.description,
        timeStartMs: c.timeStartMs,
        timeEndMs: c.timeEndMs,
        videoUuid: session.videoUuid,
        hasAudio: c.hasAudio,
        hasCamera: c.hasCamera,
        layout: { mainStream: 'SCREEN', pipPosition: 'BOTTOM_RIGHT', pipState: c.hasCamera ? 'OPENED' : 'CLOSED' },
      })),
      videoRegions: {
        screen: { topLeftPoint: { x: 0, y: 0 }, widthPx: 1920, heightPx: 1080 },
        ...(withCamera ? { camera: { topLeftPoint: { x: 1600, y: 840 }, widthPx: 320, heightPx: 240 } } : {}),
      },
    },
  };
}

function clipDetail(ctx: SimulatorContext, [sessionId, clipUuid]: string[]): ApiResult {
  const { problem } = sessionWithVideo(ctx, sessionId);
  if (problem) return problem;
  const clip = ctx.world.clip(sessionId, clipUuid);
  if (!clip) return error(404, 'Clip not found');
  const key = `clip:${clip.uuid.toLowerCase()}`;
  const { status, fault } = ctx.generation.check(key, clip.uuid);
  // As in the published examples, clipUrl is left out (not null) until the clip is generated.
  const json =
    status === 'GENERATED'
      ? { clipUuid: clip.uuid, status, clipUrl: issueLink(ctx, key, ctx.scenario.linkTtlMs.reelAndClip).url }
      : { clipUuid: clip.uuid, status };
  return { status: 200, json, fault };
}

function videoDownloadUrl(ctx: SimulatorContext, [sessionId]: string[]): ApiResult {
  const { problem, session } = sessionWithVideo(ctx, sessionId);
  if (problem) return problem;
  const link = issueLink(ctx, `video:${session.sessionId.toLowerCase()}`, ctx.scenario.linkTtlMs.video);
  return { status: 200, json: { videoUrl: link.url, sessionId: session.sessionId, expiresAt: new Date(link.expiresAtMs).toISOString() } };
}

function transcript(ctx: SimulatorContext, [sessionId]: string[]): ApiResult {
  const found = ctx.world.session(sessionId);
  if (!found) return error(404, 'Session not found');
  if (!hasTranscript(found.session)) return error(404, 'Transcript not found');
  return { status: 200, text: { contentType: 'text/vtt; charset=utf-8', body: transcriptVtt(ctx.scenario.seed, found.session) } };
}

/** Every product type has session details (surveys too). */
function sessionDetails(ctx: SimulatorContext, [sessionId]: string[]): ApiResult {
  const details = ctx.world.sessionDetails(sessionId);
  return details ? { status: 200, json: details } : error(404, 'Session not found');
}

function qxScores(ctx: SimulatorContext, [testId]: string[]): ApiResult {
  const test = ctx.world.test(testId);
  if (!test) return error(404, 'Test not found');
  const scores = ctx.world.qxScores(testId);
  // What the real API answers for a test without interaction sessions is not documented: a 404
  // saying why is the simulator's choice (only its message tells it from "Test not found").
  if (!scores) return error(404, 'QXscore is only available for interaction (NON_THINK_OUT_LOUD) tests');
  return { status: 200, json: scores };
}

function issueLink(ctx: SimulatorContext, mediaKey: string, ttlMs: number) {
  const link = ctx.links.issue(ctx.mediaBaseUrl ?? ctx.baseUrl, mediaKey, ttlMs);
  ctx.faults.linkIssued(mediaKey, link.linkId);
  return link;
}
