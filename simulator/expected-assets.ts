import type { TestSpec } from './scenario';
import { isInteraction } from './session-details';

/** One asset a complete ingestion of a test must list, with the status the API's answers give it. */
export interface ExpectedAssetStatus {
  kind: 'reel' | 'clip' | 'video' | 'transcript' | 'details' | 'qxscore';
  /** Absent for reels and for the test's `qxscore`. */
  sessionId?: string;
  reelId?: string;
  /** Absent for the list-level record of a session whose clip list answers 404. */
  clipId?: string;
  status: 'stored' | 'skipped';
}

/**
 * What the simulator will have for each asset of `test` (tests and the bench check manifests by it):
 * a survey has no video, transcript or clip list (404s); only think-out-loud and live conversations
 * have transcripts; every session has details; the test has QXscores only if one of its sessions
 * is an interaction session.
 */
export function expectedAssetStatuses(test: TestSpec): ExpectedAssetStatus[] {
  const out: ExpectedAssetStatus[] = test.reels.map((reel) => ({ kind: 'reel', reelId: reel.uuid, status: 'stored' }));
  for (const s of test.sessions) {
    const sessionId = s.sessionId;
    const hasVideo = s.productType !== 'SURVEY';
    const hasTranscript = s.productType === 'THINK_OUT_LOUD' || s.productType === 'LIVE_CONVERSATION';
    out.push({ kind: 'video', sessionId, status: hasVideo ? 'stored' : 'skipped' });
    out.push({ kind: 'transcript', sessionId, status: hasTranscript ? 'stored' : 'skipped' });
    out.push({ kind: 'details', sessionId, status: 'stored' });
    if (!hasVideo) out.push({ kind: 'clip', sessionId, status: 'skipped' });
    for (const clip of s.clips) out.push({ kind: 'clip', sessionId, clipId: clip.uuid, status: 'stored' });
  }
  out.push({ kind: 'qxscore', status: test.sessions.some(isInteraction) ? 'stored' : 'skipped' });
  return out;
}
