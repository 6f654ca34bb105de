import type { ScenarioFaults } from './scenario';

/**
 * The scenario's injectable faults and their one-shot bookkeeping. Call numbers are 1-based and
 * count every /api/v2 and /api/v3 request the server receives (authenticated or not).
 */
export class FaultInjector {
  private readonly errorOnceLeft: Set<string>;
  private readonly cutLeft: Set<string>;
  /** media key → id of its first issued link (only for keys in linkExpiredOnFirstUse) */
  private readonly firstLink = new Map<string, string>();
  private tokenFailuresLeft: number;
  private lockedUntil: number | undefined;
  private readonly malformedLeft: Array<ScenarioFaults['malformedAnswers'][number] & { left: number }>;

  constructor(private readonly faults: ScenarioFaults) {
    this.malformedLeft = faults.malformedAnswers.map((m) => ({ ...m, left: m.count }));
    this.tokenFailuresLeft = faults.tokenEndpointFailures;
    this.errorOnceLeft = new Set(faults.generationErrorOnce.map((id) => id.toLowerCase()));
    this.cutLeft = new Set(faults.cutBodyOnce.map((k) => k.toLowerCase()));
  }

  /** 500 or 503 (alternating, starting with 500) when this call is an Nth call; 503 inside a storm. */
  serverErrorFor(callNo: number): 500 | 503 | undefined {
    const storm = this.faults.serverErrorStorm;
    if (storm && callNo >= storm.atCall && callNo < storm.atCall + storm.count) return 503;
    const n = this.faults.serverErrorEveryNth;
    if (!n || callNo % n !== 0) return undefined;
    return (callNo / n) % 2 === 1 ? 500 : 503;
  }

  /** Seconds to announce in x-ratelimit-reset when this call falls in the injected 429 burst. */
  burstResetSeconds(callNo: number): number | undefined {
    const burst = this.faults.rateLimitBurst;
    if (!burst || callNo < burst.atCall || callNo >= burst.atCall + burst.count) return undefined;
    return burst.resetSeconds;
  }

  /** Seconds left of the injected lockout at `at` (epoch ms) for this call, if it falls in it. */
  lockoutResetSeconds(callNo: number, at: number): number | undefined {
    const lockout = this.faults.rateLimitLockout;
    if (!lockout || callNo < lockout.atCall) return undefined;
    this.lockedUntil ??= at + lockout.resetSeconds * 1000;
    return at < this.lockedUntil ? Math.max(1, Math.ceil((this.lockedUntil - at) / 1000)) : undefined;
  }

  revokesTokenAt(callNo: number): boolean {
    return this.faults.revokeTokenAtCall === callNo;
  }

  /** Whether this finished generation attempt of the reel/clip ends in ERROR (consumes the once-faults). */
  staysGenerating(assetId: string): boolean {
    const id = assetId.toLowerCase();
    return this.faults.neverGenerated.some((a) => a.toLowerCase() === id);
  }

  generationFails(assetId: string): 'alwaysError' | 'generationErrorOnce' | undefined {
    const id = assetId.toLowerCase();
    if (this.faults.alwaysError.some((a) => a.toLowerCase() === id)) return 'alwaysError';
    if (this.errorOnceLeft.delete(id)) return 'generationErrorOnce';
    return undefined;
  }

  linkIssued(mediaKey: string, linkId: string): void {
    const key = mediaKey.toLowerCase();
    if (this.firstLink.has(key)) return;
    if (this.faults.linkExpiredOnFirstUse.some((k) => k.toLowerCase() === key)) this.firstLink.set(key, linkId);
  }

  /** The first link issued for a key in linkExpiredOnFirstUse answers "expired" (and stays expired). */
  linkForcedExpired(mediaKey: string, linkId: string): boolean {
    return this.firstLink.get(mediaKey.toLowerCase()) === linkId;
  }

  /** The malformation to apply to this successful answer of `operation`, if one is still due. */
  takeMalformed(operation: string): 'html' | 'empty' | 'missingField' | 'wrongType' | 'extraFields' | undefined {
    const entry = this.malformedLeft.find((m) => m.operation === operation && m.left > 0);
    if (!entry) return undefined;
    entry.left -= 1;
    return entry.kind;
  }

  /** True for the first `tokenEndpointFailures` token requests. */
  takeTokenOutage(): boolean {
    if (this.tokenFailuresLeft <= 0) return false;
    this.tokenFailuresLeft -= 1;
    return true;
  }

  redirects(mediaKey: string): boolean {
    return this.faults.redirectMedia.some((k) => k.toLowerCase() === mediaKey.toLowerCase());
  }

  servesHtml(mediaKey: string): boolean {
    return this.faults.htmlInsteadOfMedia.some((k) => k.toLowerCase() === mediaKey.toLowerCase());
  }

  /** True once per key in cutBodyOnce: this GET sends about half of its body, then drops. */
  takeCutBody(mediaKey: string): boolean {
    return this.cutLeft.delete(mediaKey.toLowerCase());
  }

  /** Bytes per second to throttle this object's body to, if any. */
  throttleFor(mediaKey: string): number | undefined {
    const slow = this.faults.slowMedia;
    if (!slow) return undefined;
    if (slow.keys && !slow.keys.some((k) => k.toLowerCase() === mediaKey.toLowerCase())) return undefined;
    return slow.bytesPerSecond;
  }
}
