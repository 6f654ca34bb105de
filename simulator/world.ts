import { computeDigest, mediaContent, type MediaContent, type MediaDigest } from './media-bytes';
import { qxScores, type QxScores } from './qx-scores';
import type { ClipSpec, ReelSpec, Scenario, SessionSpec, TestSpec } from './scenario';
import { sessionDetails, type SessionDetails } from './session-details';

/**
 * The resolved scenario, indexed for the routes: tests, sessions, clips and reels by id, the
 * media objects (with their content version and cached digests), and the session details and
 * QXscores as they currently are.
 */

/** Which media object: used by `expectedDigest` and the public API. */
export type MediaKey =
  { kind: 'reel'; testId: string; reelId: string } | { kind: 'clip'; sessionId: string; clipId: string } | { kind: 'video'; sessionId: string };

export function mediaKeyString(key: MediaKey): string {
  if (key.kind === 'reel') return `reel:${key.reelId.toLowerCase()}`;
  if (key.kind === 'clip') return `clip:${key.clipId.toLowerCase()}`;
  return `video:${key.sessionId.toLowerCase()}`;
}

export interface MediaObject {
  content: MediaContent;
  lastModifiedMs: number;
}

/** Product types whose sessions have a video (and clips). */
export function hasVideo(session: SessionSpec): boolean {
  return session.productType !== 'SURVEY';
}

/** Product types whose sessions have a transcript. */
export function hasTranscript(session: SessionSpec): boolean {
  return session.productType === 'THINK_OUT_LOUD' || session.productType === 'LIVE_CONVERSATION';
}

/**
 * Digests depend only on (seed, key, version, size), so they are shared by every simulator in the
 * process: a test suite that starts many simulators over the same big objects hashes them once.
 */
const DIGEST_CACHE = new Map<string, MediaDigest>();
const DIGEST_CACHE_MAX = 2000;

export class World {
  private readonly tests = new Map<string, TestSpec>();
  private readonly sessions = new Map<string, { test: TestSpec; session: SessionSpec }>();
  private readonly clips = new Map<string, { session: SessionSpec; clip: ClipSpec }>();
  private readonly reels = new Map<string, { test: TestSpec; reel: ReelSpec }>();
  /** sessionId → how often its details were changed (absent: never). */
  private readonly detailsVersions = new Map<string, number>();
  /** Session and reel ids the API no longer has: gone from the lists, 404 on their endpoints. */
  private readonly withdrawn = new Set<string>();

  constructor(readonly scenario: Scenario) {
    for (const test of scenario.tests) {
      this.tests.set(test.testId.toLowerCase(), test);
      for (const session of test.sessions) {
        this.sessions.set(session.sessionId.toLowerCase(), { test, session });
        for (const clip of session.clips) this.clips.set(clip.uuid.toLowerCase(), { session, clip });
      }
      for (const reel of test.reels) this.reels.set(reel.uuid.toLowerCase(), { test, reel });
    }
    this.withdraw(scenario.withdrawn);
  }

  /** The test as the API shows it now: without its withdrawn sessions and reels. */
  test(testId: string): TestSpec | undefined {
    const test = this.tests.get(testId.toLowerCase());
    if (!test || this.withdrawn.size === 0) return test;
    const listed = <T>(items: T[], id: (item: T) => string) => items.filter((item) => !this.withdrawn.has(id(item).toLowerCase()));
    return { ...test, sessions: listed(test.sessions, (s) => s.sessionId), reels: listed(test.reels, (r) => r.uuid) };
  }

  session(sessionId: string): { test: TestSpec; session: SessionSpec } | undefined {
    return this.withdrawn.has(sessionId.toLowerCase()) ? undefined : this.sessions.get(sessionId.toLowerCase());
  }

  /** The clip, only if it belongs to that session (and the session is not withdrawn). */
  clip(sessionId: string, clipId: string): ClipSpec | undefined {
    const found = this.clips.get(clipId.toLowerCase());
    return found && this.session(sessionId) && found.session.sessionId.toLowerCase() === sessionId.toLowerCase() ? found.clip : undefined;
  }

  /** Sessions or reels leave the API (a deletion request, a test cleaned up); unknown ids throw. */
  withdraw(ids: readonly string[]): void {
    for (const id of ids) {
      const key = id.toLowerCase();
      if (!this.sessions.has(key) && !this.reels.has(key)) throw new Error(`no session or reel ${id} to withdraw`);
      this.withdrawn.add(key);
    }
  }

  /** Withdrawn sessions or reels come back as they were. */
  restore(ids: readonly string[]): void {
    for (const id of ids) this.withdrawn.delete(id.toLowerCase());
  }

  /** The reel, only if it belongs to that test (and is not withdrawn). */
  reel(testId: string, reelId: string): ReelSpec | undefined {
    if (this.withdrawn.has(reelId.toLowerCase())) return undefined;
    const found = this.reels.get(reelId.toLowerCase());
    return found && found.test.testId.toLowerCase() === testId.toLowerCase() ? found.reel : undefined;
  }

  /** The media object behind a key string ('video:<id>' ...), if the scenario has it. */
  media(key: string): MediaObject | undefined {
    const [kind, rawId] = key.split(':');
    const id = (rawId ?? '').toLowerCase();
    const seed = this.scenario.seed;
    if (kind === 'video') {
      const found = this.sessions.get(id);
      if (!found || !hasVideo(found.session)) return undefined;
      const s = found.session;
      return { content: mediaContent(seed, `video:${id}`, 0, s.videoBytes), lastModifiedMs: Date.parse(s.finishTime ?? s.startTime) };
    }
    if (kind === 'clip') {
      const found = this.clips.get(id);
      if (!found) return undefined;
      const s = found.session;
      return { content: mediaContent(seed, `clip:${id}`, 0, found.clip.bytes), lastModifiedMs: Date.parse(s.finishTime ?? s.startTime) };
    }
    if (kind === 'reel') {
      const found = this.reels.get(id);
      if (!found) return undefined;
      const r = found.reel;
      return { content: mediaContent(seed, `reel:${id}`, r.lastUpdatedAtMs, r.bytes), lastModifiedMs: r.lastUpdatedAtMs };
    }
    return undefined;
  }

  /** md5 + crc32c of the object's current content, computed once per content version (synchronously: ~1 s per GiB). */
  digest(content: MediaContent): MediaDigest {
    const cacheKey = `${this.scenario.seed}/${content.key}@${content.version}/${content.size}`;
    let digest = DIGEST_CACHE.get(cacheKey);
    if (!digest) {
      digest = computeDigest(content);
      if (DIGEST_CACHE.size >= DIGEST_CACHE_MAX) DIGEST_CACHE.delete(DIGEST_CACHE.keys().next().value as string);
      DIGEST_CACHE.set(cacheKey, digest);
    }
    return digest;
  }

  /** The version of a session's details (0 until `updateSessionDetails`). */
  detailsVersion(sessionId: string): number {
    return this.detailsVersions.get(sessionId.toLowerCase()) ?? 0;
  }

  /** What `GET /api/v3/sessionResults/{sessionId}` answers now; undefined for an unknown session. */
  sessionDetails(sessionId: string): SessionDetails | undefined {
    const found = this.session(sessionId);
    return found && sessionDetails(this.scenario.seed, found.test, found.session, this.detailsVersion(sessionId));
  }

  /** What `GET /api/v2/testResults/{testId}/qxScores` answers now; undefined for an unknown test or one without interaction sessions. */
  qxScores(testId: string): QxScores | undefined {
    const test = this.test(testId);
    return test && qxScores(this.scenario.seed, test, (sessionId) => this.detailsVersion(sessionId));
  }

  updateSessionDetails(sessionId: string): void {
    if (!this.session(sessionId)) throw new Error(`no session ${sessionId}`);
    this.detailsVersions.set(sessionId.toLowerCase(), this.detailsVersion(sessionId) + 1);
  }

  /** Changes a reel's lastUpdatedAtMs, and so its content (bytes and digest). */
  updateReel(testId: string, reelId: string, lastUpdatedAtMs: number): void {
    const reel = this.reel(testId, reelId);
    if (!reel) throw new Error(`no reel ${reelId} in test ${testId}`);
    reel.lastUpdatedAtMs = lastUpdatedAtMs;
  }
}
