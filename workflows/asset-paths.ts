import { isUuid } from './ids';

/**
 * Object names under a destination (CONTRACT.md, "Destination layout"). Built from validated UUIDs
 * only, never from names or titles, so nothing the API returns can steer a write elsewhere.
 */
function uuid(value: string, what: string): string {
  if (!isUuid(value)) throw new Error(`${what} is not a UUID`);
  return value.toLowerCase();
}

export const testPrefix = (testId: string) => `test_id=${uuid(testId, 'testId')}`;
export const reelsPrefix = (testId: string) => `${testPrefix(testId)}/highlight_reels`;
export const sessionPrefix = (testId: string, sessionId: string) => `${testPrefix(testId)}/session_id=${uuid(sessionId, 'sessionId')}`;

export const reelPath = (testId: string, reelId: string) => `${reelsPrefix(testId)}/${uuid(reelId, 'reelId')}.mp4`;
export const videoPath = (testId: string, sessionId: string) => `${sessionPrefix(testId, sessionId)}/session.mp4`;
export const transcriptPath = (testId: string, sessionId: string) => `${sessionPrefix(testId, sessionId)}/transcript.vtt`;
export const clipPath = (testId: string, sessionId: string, clipId: string) =>
  `${sessionPrefix(testId, sessionId)}/clips/${uuid(clipId, 'clipId')}.mp4`;
export const manifestPath = (testId: string) => `${testPrefix(testId)}/manifest.json`;
