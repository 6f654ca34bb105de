import { setTimeout as sleep } from 'node:timers/promises';
import { LinkExpiredError, MediaHostUnreachableError } from './errors';

/** Waits between tries of one signed link when its host cannot be reached. */
export interface MediaRetryOptions {
  /** First wait after a network failure; doubled after each failed try. @default 1000 */
  initialDelayMs?: number;
  /** @default 30000 */
  maxDelayMs?: number;
  /** How long the host may stay unreachable (across the asset's attempts) before the asset fails. @default 900000 (15 min) */
  unreachableLimitMs?: number;
}

export const MEDIA_RETRY_DEFAULTS = { initialDelayMs: 1000, maxDelayMs: 30_000, unreachableLimitMs: 900_000 } as const;

/** How long the API says its links stay valid (the published description). */
export const LINK_LIFETIME_MS = { video: 3_600_000, reel: 900_000, clip: 900_000 } as const;

/** When a link of `lifetimeMs` (or the API's own `expiresAt`) must no longer be relied on: a tenth of its life, at most a minute, before it expires. */
export function linkUsableUntil(obtainedAtMs: number, lifetimeMs: number, expiresAt?: string): number {
  const stated = expiresAt === undefined ? NaN : Date.parse(expiresAt);
  // A stated expiry before the link was obtained is a clock skew between us and the API: the lifetime is used instead.
  const expiresAtMs = Number.isFinite(stated) && stated > obtainedAtMs ? Math.min(stated, obtainedAtMs + lifetimeMs) : obtainedAtMs + lifetimeMs;
  return expiresAtMs - Math.min(60_000, (expiresAtMs - obtainedAtMs) / 10);
}

/** An outage in progress, as an earlier attempt of the same asset reported it (heartbeat details). */
export interface Outage {
  sinceMs: number;
  cause: string;
}

export interface LinkRetryOptions extends MediaRetryOptions {
  /** The link is not used past this time (epoch ms); undefined: no known expiry. */
  usableUntilMs?: number;
  /** An outage an earlier attempt was already waiting out. */
  outage?: Outage;
  signal?: AbortSignal;
  /** Told before each wait (for heartbeats and the run's notice), and with undefined once the host answers again. */
  onOutage?: (outage: Outage | undefined) => void;
  /** How a wait is spent (an activity heartbeats through it). @default a plain timer */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

/**
 * The retries of one signed link: a network failure or a busy host (5xx) is waited out on the same
 * link with a growing backoff, for as long as the link is usable and the outage within its limit. A
 * new link would cost an API request, so it is asked for only when this one is about to expire
 * (LinkExpiredError); past the limit the asset fails with the cause (MediaHostUnreachableError).
 */
export class LinkRetry {
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly limitMs: number;
  private readonly now: () => number;
  private delayMs: number;
  private outage?: Outage;

  constructor(private readonly options: LinkRetryOptions = {}) {
    this.initialDelayMs = options.initialDelayMs ?? MEDIA_RETRY_DEFAULTS.initialDelayMs;
    this.maxDelayMs = Math.max(this.initialDelayMs, options.maxDelayMs ?? MEDIA_RETRY_DEFAULTS.maxDelayMs);
    this.limitMs = options.unreachableLimitMs ?? MEDIA_RETRY_DEFAULTS.unreachableLimitMs;
    this.now = options.now ?? Date.now;
    this.delayMs = this.initialDelayMs;
    this.outage = options.outage;
  }

  /** The host answered (or sent bytes): an outage, if any, is over. */
  answered(): void {
    if (this.outage) this.options.onOutage?.(undefined);
    this.outage = undefined;
    this.delayMs = this.initialDelayMs;
  }

  /** Waits before the next try of the same link, or throws when there must be none. */
  async beforeRetry(cause: string, atLeastMs = 0): Promise<void> {
    const now = this.now();
    const outage = (this.outage = { sinceMs: this.outage?.sinceMs ?? now, cause });
    // The last wait is cut short so the link gets one more try right at the limit or its expiry.
    const failAtMs = outage.sinceMs + this.limitMs;
    const usableUntilMs = this.options.usableUntilMs ?? Infinity;
    if (now >= failAtMs) throw new MediaHostUnreachableError(cause, now - outage.sinceMs);
    if (now >= usableUntilMs) throw new LinkExpiredError(`the media host did not answer (${cause}) before the link was due to expire`);
    const waitMs = Math.min(Math.max(this.delayMs, atLeastMs), failAtMs - now, usableUntilMs - now);
    this.options.onOutage?.(outage);
    await (this.options.wait ?? ((ms, signal) => sleep(ms, undefined, { signal })))(waitMs, this.options.signal);
    this.delayMs = Math.min(this.delayMs * 2, this.maxDelayMs);
  }
}
