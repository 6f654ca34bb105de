import { Readable } from 'node:stream';
import { getGlobalDispatcher, interceptors, request, type Dispatcher } from 'undici';
import { LinkExpiredError, MediaTransferError } from './errors';
import { contentRange, numberHeader, stringHeader } from './http-headers';
import { redactSecrets } from './redact';

export interface SignedMediaOptions {
  dispatcher?: Dispatcher;
  /** Range requests allowed after a cut body before the transfer fails. @default 5 */
  maxResumes?: number;
  /** Idle time allowed between body chunks, and for response headers (below the heartbeat timeout). @default 30000 */
  timeoutMs?: number;
  /** Told about each resume (offset only; the link is never passed on). */
  onResume?: (offset: number) => void;
}

export interface SignedMedia {
  /** The bytes from `startsAt` on, resumed transparently with `Range` when the connection is cut. */
  stream: Readable;
  /** The offset the stream starts at: the one asked for, or 0 when the server sent the whole body. */
  startsAt: number;
  /** The whole object's size (not only what the stream carries), when the server said. */
  totalBytes?: number;
  contentType: string;
}

/**
 * Opens a pre-signed S3-style link, from byte `from` on when asked (a transfer taken over after a
 * crash). The first response is awaited here, so an expired link fails (LinkExpiredError) before
 * anything is written. The link stays inside this closure.
 */
export async function openSignedMedia(link: string, options: SignedMediaOptions = {}, from = 0): Promise<SignedMedia> {
  const maxResumes = options.maxResumes ?? 5;
  let first = await get(link, from || undefined, options);
  if (from > 0 && first.statusCode === 416) {
    // What was kept is already the whole object (a crash after the last byte): fetch it whole.
    await first.body.dump();
    from = 0;
    first = await get(link, undefined, options);
  }
  const partial = from > 0 && first.statusCode === 206 && contentRange(first.headers['content-range'])?.start === from;
  if (first.statusCode !== 200 && !partial) {
    await first.body.dump();
    throw new MediaTransferError(`download ${from ? `from byte ${from} ` : ''}answered ${first.statusCode} instead of ${from ? '206 or 200' : '200'}`, 'media', first.statusCode);
  }
  const startsAt = partial ? from : 0;
  const totalBytes = partial ? contentRange(first.headers['content-range'])?.total : wholeNumber(numberHeader(first.headers['content-length']));
  const contentType = stringHeader(first.headers['content-type']) ?? 'application/octet-stream';

  async function* bytes(): AsyncGenerator<Buffer> {
    let offset = startsAt;
    let body: Readable = first.body;
    for (let resumes = 0; ; resumes++) {
      let failure: unknown;
      try {
        for await (const chunk of body) {
          offset += chunk.length;
          yield chunk as Buffer;
        }
      } catch (err) {
        failure = err;
      }
      if (totalBytes === undefined ? failure === undefined : offset === totalBytes) return;
      if (totalBytes !== undefined && offset > totalBytes) throw new MediaTransferError(`download sent more bytes than announced (${offset} > ${totalBytes})`, 'media');
      if (totalBytes === undefined || resumes >= maxResumes) {
        const why = failure ? redactSecrets((failure as Error).message) : 'connection closed early';
        throw new MediaTransferError(`download cut at byte ${offset} of ${totalBytes ?? '?'} (${why}); gave up after ${resumes} resumes`, 'media');
      }
      options.onResume?.(offset);
      const next = await get(link, offset, options);
      if (next.statusCode !== 206 || contentRange(next.headers['content-range'])?.start !== offset) {
        await next.body.dump();
        throw new MediaTransferError(`resume at byte ${offset} answered ${next.statusCode} without a matching Content-Range`, 'media', next.statusCode);
      }
      body = next.body;
    }
  }

  const stream = Readable.from(bytes(), { objectMode: false, highWaterMark: 1 << 20 });
  // Destroying our stream (e.g. the destination failed) must release the socket too.
  stream.once('close', () => {
    // Nobody reads the body any more: its abort error has no one to tell.
    first.body.on('error', () => undefined);
    first.body.destroy();
  });
  return { stream, startsAt, totalBytes, contentType };
}

/** Links may redirect (S3 region endpoints, CDNs); the Location, signed too, stays in here like the link. */
const MAX_REDIRECTS = 3;

async function get(link: string, offset: number | undefined, options: SignedMediaOptions): Promise<Dispatcher.ResponseData> {
  let response: Dispatcher.ResponseData;
  try {
    response = await request(link, {
      method: 'GET',
      dispatcher: (options.dispatcher ?? getGlobalDispatcher()).compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS })),
      headers: offset === undefined ? {} : { range: `bytes=${offset}-` },
      headersTimeout: options.timeoutMs ?? 30_000,
      bodyTimeout: options.timeoutMs ?? 30_000,
    });
  } catch (err) {
    throw new MediaTransferError(`download request failed: ${redactSecrets((err as Error).message)}`, 'media');
  }
  if (response.statusCode === 403) {
    const text = (await response.body.text()).slice(0, 2000);
    if (/Request has expired|ExpiredToken|AccessDenied/i.test(text)) throw new LinkExpiredError();
    throw new MediaTransferError(`download refused (403${/SignatureDoesNotMatch/.test(text) ? ' SignatureDoesNotMatch' : ''})`, 'media', 403);
  }
  return response;
}

function wholeNumber(n: number | undefined): number | undefined {
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}
