import { createHmac, timingSafeEqual } from 'node:crypto';
import { digestOf } from './random';
import { UUID_PATTERN } from './scenario';

/**
 * S3-style pre-signed links to media objects served by the simulator itself.
 *
 * A link is `<baseUrl>/media/<bucket>/<object path>?X-Amz-Algorithm=AWS4-HMAC-SHA256
 * &X-Amz-Credential=<per-issue access key>/<date>/us-east-1/s3/aws4_request&X-Amz-Date=<UTC second>
 * &X-Amz-Expires=<seconds>&X-Amz-SignedHeaders=host&X-Amz-Signature=<64 hex>`. The signature is an
 * HMAC-SHA256 (secret derived from the seed) over the path and the other parameters, so any
 * change to the path or a parameter is detected. Each issue uses a fresh temporary access key
 * id (like STS credentials), so two links for the same object always differ.
 *
 * Expiry: S3 expires a link at X-Amz-Date + X-Amz-Expires (whole seconds). The simulator also
 * remembers each link's exact expiry (issue time + linkTtlMs), so millisecond TTLs work in tests;
 * X-Amz-Expires is the TTL rounded up to whole seconds (at least 1).
 */

export const MEDIA_BUCKET = 'usertesting-videosprod';
const MEDIA_PREFIX = `/media/${MEDIA_BUCKET}/`;
const REGION = 'us-east-1';

/** Object path (below the bucket) of a media key, e.g. `videos/<sessionId>/session.mp4`. */
export function objectPathOf(mediaKey: string): string {
  const [kind, id] = mediaKey.split(':');
  if (kind === 'video') return `videos/${id}/session.mp4`;
  if (kind === 'clip') return `clips/${id}.mp4`;
  return `reels/${id}.mp4`;
}

/** The media key a request path points at, or undefined when it is not a media object path. */
export function mediaKeyOfPath(pathname: string): string | undefined {
  if (!pathname.startsWith(MEDIA_PREFIX)) return undefined;
  const rest = pathname.slice(MEDIA_PREFIX.length);
  const video = /^videos\/([^/]+)\/session\.mp4$/.exec(rest);
  if (video && UUID_PATTERN.test(video[1])) return `video:${video[1].toLowerCase()}`;
  const other = /^(clips|reels)\/([^/]+)\.mp4$/.exec(rest);
  if (other && UUID_PATTERN.test(other[2])) return `${other[1] === 'clips' ? 'clip' : 'reel'}:${other[2].toLowerCase()}`;
  return undefined;
}

export interface IssuedLink {
  url: string;
  /** The link's signature: identifies this issue (never log it). */
  linkId: string;
  expiresAtMs: number;
}

export type LinkCheck = { ok: true; linkId: string } | { ok: false; code: 'AccessDenied' | 'SignatureDoesNotMatch'; message: string; linkId?: string };

const SIGNED_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders'] as const;

function amzDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace('.000', '');
}

function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

export class SignedLinks {
  private readonly secret: Buffer;
  private readonly exactExpiry = new Map<string, number>();
  private issued = 0;

  constructor(private readonly seed: number) {
    this.secret = digestOf('link-secret', seed);
  }

  private sign(pathname: string, params: Record<string, string>): string {
    const canonical = SIGNED_PARAMS.map((name) => `${name}=${encodeURIComponent(params[name] ?? '')}`).join('&');
    return createHmac('sha256', this.secret).update(`${pathname}\n${canonical}`).digest('hex');
  }

  issue(baseUrl: string, mediaKey: string, ttlMs: number, now = Date.now()): IssuedLink {
    this.issued++;
    const accessKey = 'ASIA' + digestOf('access-key', this.seed, this.issued).toString('hex').slice(0, 16).toUpperCase();
    const date = amzDate(now);
    const pathname = MEDIA_PREFIX + objectPathOf(mediaKey);
    const params: Record<string, string> = {
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `${accessKey}/${date.slice(0, 8)}/${REGION}/s3/aws4_request`,
      'X-Amz-Date': date,
      'X-Amz-Expires': String(Math.max(1, Math.ceil(ttlMs / 1000))),
      'X-Amz-SignedHeaders': 'host',
    };
    const signature = this.sign(pathname, params);
    const expiresAtMs = now + ttlMs;
    this.remember(signature, expiresAtMs, now);
    const query = SIGNED_PARAMS.map((name) => `${name}=${encodeURIComponent(params[name])}`).join('&');
    return { url: `${baseUrl}${pathname}?${query}&X-Amz-Signature=${signature}`, linkId: signature, expiresAtMs };
  }

  private remember(signature: string, expiresAtMs: number, now: number): void {
    this.exactExpiry.set(signature, expiresAtMs);
    if (this.exactExpiry.size > 10_000) {
      // Forget links long past expiry: their X-Amz-Date + X-Amz-Expires has passed too.
      for (const [sig, at] of this.exactExpiry) if (at + 2000 < now) this.exactExpiry.delete(sig);
    }
  }

  /** Checks a media request's signature, then its expiry. */
  check(pathname: string, query: URLSearchParams, now = Date.now()): LinkCheck {
    const signature = query.get('X-Amz-Signature') ?? '';
    const params: Record<string, string> = {};
    for (const name of SIGNED_PARAMS) {
      const value = query.get(name);
      if (value === null || signature === '') {
        return {
          ok: false,
          code: 'AccessDenied',
          message: 'Query-string authentication requires the X-Amz-Signature, X-Amz-Credential, X-Amz-Date and X-Amz-Expires parameters',
        };
      }
      params[name] = value;
    }
    const expected = Buffer.from(this.sign(pathname, params), 'hex');
    const given = /^[0-9a-f]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return {
        ok: false,
        code: 'SignatureDoesNotMatch',
        message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      };
    }
    const dateMs = parseAmzDate(params['X-Amz-Date']);
    const expiresS = Number(params['X-Amz-Expires']);
    const expiresAt = this.exactExpiry.get(signature) ?? (dateMs ?? 0) + expiresS * 1000;
    if (now > expiresAt) return { ok: false, code: 'AccessDenied', message: 'Request has expired', linkId: signature };
    return { ok: true, linkId: signature };
  }
}
