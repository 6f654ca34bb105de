/**
 * The API budget, as a gateway enforces it: a fixed window per client (the client a bearer
 * token was issued to), opened by the client's first counted request and lasting `windowMs`.
 *
 * What counts: every authenticated /api/v2 or /api/v3 request, whatever its outcome (200, 400, 404, an
 * injected 500/503, or a 429 past the budget, which changes nothing since remaining is already 0).
 * Requests answered 401 are not counted: the gateway rejects them before it knows whose budget to
 * charge. Calls in an injected `rateLimitBurst` are not counted either (they simulate the gateway
 * throttling on its own). Token requests go to the auth server and never count.
 */

export interface RateLimitConfig {
  limit: number;
  windowMs: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in the window after this one (never below 0). */
  remaining: number;
  /** Whole seconds until the window resets (rounded up, at least 1). */
  resetSeconds: number;
}

interface Window {
  startedAt: number;
  count: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly config: RateLimitConfig) {}

  private windowOf(clientId: string, now: number): Window | undefined {
    const w = this.windows.get(clientId);
    if (w && now - w.startedAt >= this.config.windowMs) {
      this.windows.delete(clientId);
      return undefined;
    }
    return w;
  }

  private describe(w: Window | undefined, now: number, allowed: boolean): RateDecision {
    const { limit, windowMs } = this.config;
    const count = w?.count ?? 0;
    const msLeft = w ? w.startedAt + windowMs - now : windowMs;
    return { allowed, limit, remaining: Math.max(0, limit - count), resetSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
  }

  /** Counts one request of the client and says whether it is within the budget. */
  consume(clientId: string, now = Date.now()): RateDecision {
    let w = this.windowOf(clientId, now);
    if (!w) {
      w = { startedAt: now, count: 0 };
      this.windows.set(clientId, w);
    }
    w.count++;
    return this.describe(w, now, w.count <= this.config.limit);
  }

  /** The client's current state without counting (for responses that are not charged). */
  peek(clientId: string | undefined, now = Date.now()): RateDecision {
    return this.describe(clientId === undefined ? undefined : this.windowOf(clientId, now), now, true);
  }

  reset(): void {
    this.windows.clear();
  }
}
