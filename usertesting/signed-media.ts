import { Readable } from 'node:stream';
import { getGlobalDispatcher, interceptors, request, type Dispatcher } from 'undici';
import { LinkExpiredError, MediaTransferError } from './errors';
import { LinkRetry, type MediaRetryOptions, type Outage } from './link-retry';
import { contentRange, numberHeader, stringHeader } from './http-headers';
import { DEFAULT_HTTP_TIMEOUT_MS } from './http-timeout';
import { redactSecrets } from './redact';

export interface SignedMediaOptions {
  dispatcher?: Dispatcher;
  /** Idle time allowed between body chunks, and for response headers (below the heartbeat timeout). @default 30000 */
  timeoutMs?: number;
  /** Waits on the same link when its host cannot be reached. */
  retry?: MediaRetryOptions;
  /** Told about each resume (offset only; the link is never passed on). */
  onResume?: (offset: number) => void;
}

/** What one transfer knows beyond the link: its expiry, an outage carried over, cancellation. */
export interface SignedMediaTransfer {
  /** The link is not tried past this time (epoch ms); see linkUsableUntil. */
  usableUntilMs?: number;
  outage?: Outage;
  onOutage?: (outage: Outage | undefined) => void;
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
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
 * anything is written. A network failure, before or during the body, is retried on the same link
 * (see LinkRetry), resuming with `Range`. The link stays inside this closure.
 */
export async function openSignedMedia(link: string, options: SignedMediaOptions = {}, from = 0, transfer: SignedMediaTransfer = {}): Promise<SignedMedia> {
  // Ends the waits on this link once nobody reads the stream: a wait must not be followed by a GET
  // for bytes that would be thrown away (the destination failed, the transfer was abandoned).
  const released = new AbortController();
  const signal = transfer.signal ? AbortSignal.any([transfer.signal, released.signal]) : released.signal;
  const retry = new LinkRetry({ ...options.retry, ...transfer, signal });
  let first = await getAnswered(link, from || undefined, options, retry);
  if (from > 0 && first.statusCode === 416) {
    // What was kept is already the whole object (a crash after the last byte): fetch it whole.
    await first.body.dump();
    from = 0;
    first = await getAnswered(link, undefined, options, retry);
  }
  const partial = from > 0 && first.statusCode === 206 && contentRange(first.headers['content-range'])?.start === from;
  if (first.statusCode !== 200 && !partial) {
    await first.body.dump();
    throw new MediaTransferError(
      `download ${from ? `from byte ${from} ` : ''}answered ${first.statusCode} instead of ${from ? '206 or 200' : '200'}`,
      'media',
      first.statusCode,
    );
  }
  const startsAt = partial ? from : 0;
  const totalBytes = partial ? contentRange(first.headers['content-range'])?.total : wholeNumber(numberHeader(first.headers['content-length']));
  const contentType = stringHeader(first.headers['content-type']) ?? 'application/octet-stream';
  let current: Readable = first.body;

  async function* bytes(): AsyncGenerator<Buffer> {
    let offset = startsAt;
    for (;;) {
      let failure: unknown;
      const before = offset;
      try {
        for await (const chunk of current) {
          offset += chunk.length;
          yield chunk as Buffer;
        }
      } catch (err) {
        failure = err;
      }
      // Destroyed by its reader (e.g. the destination failed, its error thrown in at the yield):
      // not a cut to wait out or report as an outage.
      if (released.signal.aborted) return;
      if (totalBytes === undefined ? failure === undefined : offset === totalBytes) return;
      if (totalBytes !== undefined && offset > totalBytes)
        throw new MediaTransferError(`download sent more bytes than announced (${offset} > ${totalBytes})`, 'media');
      if (transfer.signal?.aborted) throw transfer.signal.reason;
      const why = failure ? describeFailure(failure) : 'connection closed early';
      if (totalBytes === undefined)
        throw new MediaTransferError(`download cut at byte ${offset} (${why}) and its size is unknown, so it cannot be resumed`, 'media');
      if (offset > before) retry.answered();
      await retry.beforeRetry(`download cut at byte ${offset} of ${totalBytes}: ${why}`);
      if (released.signal.aborted) return;
      options.onResume?.(offset);
      const next = await getAnswered(link, offset, options, retry);
      if (next.statusCode !== 206 || contentRange(next.headers['content-range'])?.start !== offset) {
        await next.body.dump();
        throw new MediaTransferError(`resume at byte ${offset} answered ${next.statusCode} without a matching Content-Range`, 'media', next.statusCode);
      }
      current = next.body;
    }
  }

  // Destroying the stream ends the generator through return() (or throw()), which waits for the
  // generator's step in progress: a wait on the link is cut short first, so that step ends now.
  const generator = bytes();
  const releasing: AsyncIterator<Buffer> = {
    next: () => generator.next(),
    return: (value?: unknown) => (released.abort(), generator.return(value as undefined)),
    throw: (err?: unknown) => (released.abort(), generator.throw(err)),
  };
  const stream = Readable.from({ [Symbol.asyncIterator]: () => releasing }, { objectMode: false, highWaterMark: 1 << 20 });
  // Destroying our stream (e.g. the destination failed) must release the socket too.
  stream.once('close', () => {
    // Nobody reads the body any more: its abort error has no one to tell.
    current.on('error', () => undefined);
    current.destroy();
  });
  return { stream, startsAt, totalBytes, contentType };
}

/** Answers worth another try on the same link: the host is busy or failing, not refusing this link. */
const RETRY_SAME_LINK_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** A response that is not a network failure nor a busy host, after waiting those out on the same link. */
async function getAnswered(link: string, offset: number | undefined, options: SignedMediaOptions, retry: LinkRetry): Promise<Dispatcher.ResponseData> {
  for (;;) {
    let cause: string;
    let atLeastMs = 0;
    try {
      const response = await get(link, offset, options);
      if (!RETRY_SAME_LINK_STATUS.has(response.statusCode)) {
        retry.answered();
        return response;
      }
      await response.body.dump();
      cause = `the media host answered ${response.statusCode}`;
      atLeastMs = (numberHeader(response.headers['retry-after']) ?? 0) * 1000;
    } catch (err) {
      if (!(err instanceof MediaNetworkFailure)) throw err;
      cause = err.message;
    }
    await retry.beforeRetry(cause, atLeastMs);
  }
}

/** The request never got an answer: the host could not be resolved, reached or heard from. */
class MediaNetworkFailure extends Error {}

/** Error codes of a network that failed us (undici's and the system's), as opposed to a bad request. */
const NETWORK_FAILURE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
]);

function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_FAILURE_CODES.has(code)) return code;
  }
  return undefined;
}

function describeFailure(err: unknown): string {
  const code = networkCode(err);
  const message = redactSecrets(err instanceof Error ? err.message : String(err));
  return code && !message.includes(code) ? `${code}: ${message}` : message;
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
      headersTimeout: options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
      bodyTimeout: options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
    });
  } catch (err) {
    if (networkCode(err)) throw new MediaNetworkFailure(describeFailure(err));
    throw new MediaTransferError(`download request failed: ${describeFailure(err)}`, 'media');
  }
  if (response.statusCode === 403) {
    const text = (await response.body.text()).slice(0, 2000);
    // S3 says an expired link is expired (AccessDenied "Request has expired", or ExpiredToken); any other 403 is a refusal a new link may not fix.
    if (/<Code>ExpiredToken<\/Code>|<Message>Request has expired<\/Message>/.test(text)) throw new LinkExpiredError();
    const code = /<Code>([A-Za-z]+)<\/Code>/.exec(text)?.[1];
    throw new MediaTransferError(`download refused (403${code ? ` ${code}` : ''})`, 'media', 403);
  }
  return response;
}

function wholeNumber(n: number | undefined): number | undefined {
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}
