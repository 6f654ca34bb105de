/**
 * Pre-signed media links served by the test's own server, each telling by its path how it answers
 * (bytes of an MP4, an HTML page, "expired", a cut body, silence ...), so a test knows from a link
 * alone whether a media step was right to store what it got. Every link carries a signature that
 * must never show up in a message.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import fc from 'fast-check';

export const LINK_SIGNATURE = 'sig0f1e2d3c4b5a69788796a5b4c3d2e1f0';

export const LINK_BEHAVIOURS = [
  'mp4',
  'mp4-chunked',
  'redirect',
  'html',
  'not-mp4',
  'empty',
  'expired',
  'forbidden',
  'missing',
  'server-error',
  'cut',
  'stall',
] as const;
export type LinkBehaviour = (typeof LINK_BEHAVIOURS)[number];

/** Links that answer a whole MP4: the only ones whose bytes may be stored. */
export const STORABLE_LINKS: ReadonlySet<LinkBehaviour> = new Set(['mp4', 'mp4-chunked', 'redirect']);

const PREFIX = '/media/';

/** Links to `baseUrl`, any behaviour, with S3-style signed queries. */
export function mediaLinkArbitrary(baseUrl: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...LINK_BEHAVIOURS), fc.stringMatching(/^[a-z0-9]{6,12}$/))
    .map(([behaviour, id]) => `${baseUrl}${PREFIX}${behaviour}/${id}.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&X-Amz-Signature=${LINK_SIGNATURE}`);
}

/** What a link of ours is (undefined for any other string). */
export function linkOf(link: unknown): { behaviour: LinkBehaviour; id: string } | undefined {
  if (typeof link !== 'string') return undefined;
  const m = /\/media\/([a-z0-9-]+)\/([a-z0-9]+)\.mp4\?/.exec(link);
  return m && (LINK_BEHAVIOURS as readonly string[]).includes(m[1]) ? { behaviour: m[1] as LinkBehaviour, id: m[2] } : undefined;
}

export const isStorableLink = (link: unknown) => STORABLE_LINKS.has(linkOf(link)?.behaviour as LinkBehaviour);

/** The MP4 a link serves: an `ftyp` box, then bytes fixed by the id (16 B to 64 KiB). */
export function mp4Bytes(id: string): Buffer {
  const digest = createHash('sha256').update(id).digest();
  const size = 16 + (digest.readUInt32BE(0) % (64 * 1024));
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = digest[i % digest.length] ^ (i & 0xff);
  body.writeUInt32BE(16, 0);
  body.write('ftypisom', 4, 'latin1');
  return body;
}

const S3_ERROR = (code: string, message: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

/** Answers a request for one of our links; false when the path is not one. */
export function answerMediaLink(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  if (!url.pathname.startsWith(PREFIX)) return false;
  const link = linkOf(`${url.pathname}?`);
  if (!link) {
    res.writeHead(404).end();
    return true;
  }
  const bytes = mp4Bytes(link.id);
  switch (link.behaviour) {
    case 'mp4':
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes.length }).end(bytes);
      return true;
    case 'mp4-chunked':
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.write(bytes.subarray(0, 8));
      res.end(bytes.subarray(8));
      return true;
    case 'redirect':
      res.writeHead(302, { location: `${PREFIX}mp4/${link.id}.mp4${url.search}` }).end();
      return true;
    case 'html':
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Service Unavailable</body></html>');
      return true;
    case 'not-mp4':
      res.writeHead(200, { 'content-type': 'video/mp4' }).end(Buffer.from('GIF89a not a video at all, sorry'));
      return true;
    case 'empty':
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': 0 }).end();
      return true;
    case 'expired':
      res.writeHead(403, { 'content-type': 'application/xml' }).end(S3_ERROR('AccessDenied', 'Request has expired'));
      return true;
    case 'forbidden':
      res.writeHead(403, { 'content-type': 'application/xml' }).end(S3_ERROR('SignatureDoesNotMatch', 'The request signature we calculated does not match'));
      return true;
    case 'missing':
      res.writeHead(404, { 'content-type': 'application/xml' }).end(S3_ERROR('NoSuchKey', 'The specified key does not exist.'));
      return true;
    case 'server-error':
      res.writeHead(500, { 'content-type': 'application/xml' }).end(S3_ERROR('InternalError', 'We encountered an internal error.'));
      return true;
    case 'cut': {
      // Announces the whole object (or the range asked for), sends half, and hangs up.
      const from = Number(/^bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
      const rest = bytes.subarray(Math.min(from, bytes.length));
      const headers = { 'content-type': 'video/mp4', 'content-length': rest.length };
      if (from > 0) res.writeHead(206, { ...headers, 'content-range': `bytes ${from}-${bytes.length - 1}/${bytes.length}` });
      else res.writeHead(200, headers);
      res.write(rest.subarray(0, Math.floor(rest.length / 2)), () => res.destroy());
      return true;
    }
    case 'stall':
      // Never answers: the client's own timeout must end the wait.
      return true;
  }
}
