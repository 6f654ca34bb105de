import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimulatorContext } from './context';
import { s3ErrorXml, sendText } from './http-util';
import { mediaChunks, mediaETag, BLOCK_SIZE } from './media-bytes';
import { mediaKeyOfPath } from './signed-links';
import type { MediaRecord } from './stats';

/**
 * The media objects behind pre-signed links, served like S3: no bearer token, not charged to the
 * API budget. GET and HEAD; `Range: bytes=N-`, `bytes=N-M` and `bytes=-S` (one range; anything
 * else is ignored and the whole object is sent, as S3 does); 416 when unsatisfiable. Bodies
 * stream block by block with backpressure, so memory stays flat whatever the size.
 */

type Range = { start: number; end: number } | 'unsatisfiable' | undefined;

export function parseRange(header: string | undefined, size: number): Range {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const REDIRECT_PREFIX = '/redirected';

/** `redirected`: the request came through a redirect (see `redirectMedia`), so it is answered. */
export function handleMedia(ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse, url: URL, redirected = false): void {
  const at = Date.now();
  const method = req.method === 'HEAD' ? 'HEAD' : 'GET';
  const key = mediaKeyOfPath(url.pathname) ?? '';
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const record: MediaRecord = { at, key, method, status: 0, bytesSent: 0, completed: false };
  ctx.stats.mediaStarted(record);
  res.once('close', () => {
    record.completed = res.writableFinished && record.faultInjected !== 'cutBodyOnce';
    ctx.stats.media(record);
  });
  const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}) => {
    record.status = status;
    const body = method === 'HEAD' ? '' : s3ErrorXml(code, message, url.pathname, requestId);
    sendText(res, status, 'application/xml', body, { 'x-amz-request-id': requestId, ...headers });
  };

  if (req.method !== 'GET' && req.method !== 'HEAD')
    return fail(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', { allow: 'GET, HEAD' });
  const check = ctx.links.check(url.pathname, url.searchParams, at);
  if (!check.ok) return fail(403, check.code, check.message);
  if (key && ctx.faults.linkForcedExpired(key, check.linkId)) {
    record.faultInjected = 'linkExpiredOnFirstUse';
    return fail(403, 'AccessDenied', 'Request has expired');
  }
  const object = key ? ctx.world.media(key) : undefined;
  if (!object) return fail(404, 'NoSuchKey', 'The specified key does not exist.');
  if (!redirected && ctx.faults.redirects(key)) {
    record.status = 307;
    record.faultInjected = 'redirectMedia';
    res.writeHead(307, { location: `${REDIRECT_PREFIX}${url.pathname}${url.search}`, 'x-amz-request-id': requestId });
    res.end();
    return;
  }
  if (ctx.faults.servesHtml(key)) {
    record.status = 200;
    record.faultInjected = 'htmlInsteadOfMedia';
    return sendText(res, 200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>\n', {
      'x-amz-request-id': requestId,
    });
  }

  const { content, lastModifiedMs } = object;
  const size = content.size;
  const range = parseRange(req.headers.range, size);
  const common = {
    'accept-ranges': 'bytes',
    etag: mediaETag(content, () => ctx.world.digest(content)),
    'last-modified': new Date(lastModifiedMs).toUTCString(),
    'x-amz-request-id': requestId,
  };
  if (range === 'unsatisfiable') {
    record.status = 416;
    const body = method === 'HEAD' ? '' : s3ErrorXml('InvalidRange', 'The requested range is not satisfiable', url.pathname, requestId);
    return sendText(res, 416, 'application/xml', body, { ...common, 'content-range': `bytes */${size}` });
  }
  const start = range ? range.start : 0;
  const end = range ? range.end : size - 1;
  record.status = range ? 206 : 200;
  if (range) {
    record.rangeStart = start;
    record.rangeEnd = end;
  }
  res.writeHead(record.status, {
    ...common,
    'content-type': 'video/mp4',
    'content-length': end - start + 1,
    ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (method === 'HEAD') {
    res.end();
    return;
  }
  const cut = ctx.faults.takeCutBody(key);
  if (cut) record.faultInjected = 'cutBodyOnce';
  const bytesPerSecond = ctx.faults.throttleFor(key);
  const sendUpTo = cut ? start + Math.floor((end - start + 1) / 2) - 1 : end;
  void pump(res, record, mediaChunks(content, start, sendUpTo, chunkSizeFor(bytesPerSecond)), bytesPerSecond).then((sentAll) => {
    if (!sentAll || res.destroyed) return;
    if (cut) res.destroy();
    else res.end();
  });
}

function chunkSizeFor(bytesPerSecond: number | undefined): number {
  if (!bytesPerSecond) return BLOCK_SIZE;
  return Math.max(1024, Math.min(BLOCK_SIZE, Math.floor(bytesPerSecond / 20)));
}

/**
 * Writes the chunks, waiting for 'drain' whenever the socket buffer is full, and pacing to
 * `bytesPerSecond` if set. Resolves true once every chunk is flushed, false if the response was
 * closed first (client gone, server closing).
 */
async function pump(res: ServerResponse, record: MediaRecord, chunks: Iterable<Buffer>, bytesPerSecond?: number): Promise<boolean> {
  const started = Date.now();
  let closed = false;
  const onClose = () => {
    closed = true;
  };
  res.once('close', onClose);
  try {
    let lastFlushed: Promise<void> = Promise.resolve();
    for (const chunk of chunks) {
      if (closed || res.destroyed) return false;
      lastFlushed = new Promise<void>((resolve) => res.write(chunk, () => resolve()));
      record.bytesSent += chunk.length;
      if (res.writableNeedDrain) await waitForDrainOrClose(res);
      if (bytesPerSecond) {
        const dueMs = (record.bytesSent / bytesPerSecond) * 1000 - (Date.now() - started);
        // Sleep in short steps so a closed response stops the loop promptly.
        for (let left = dueMs; left > 0 && !closed; left -= 100) await sleep(Math.min(100, left));
      }
    }
    if (closed || res.destroyed) return false;
    await Promise.race([lastFlushed, new Promise<void>((resolve) => res.once('close', resolve))]);
    return !closed;
  } finally {
    res.off('close', onClose);
  }
}

function waitForDrainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
