import type { AssetKind } from './asset-types';
import { isUuid } from './ids';

/**
 * Object names under a destination (docs/layout-and-manifest.md, "Destination layout"). Built from
 * validated UUIDs only, never from names or titles, so nothing the API returns can steer a write
 * elsewhere.
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
export const clipPath = (testId: string, sessionId: string, clipId: string) => `${sessionPrefix(testId, sessionId)}/clips/${uuid(clipId, 'clipId')}.mp4`;
export const detailsPath = (testId: string, sessionId: string) => `${sessionPrefix(testId, sessionId)}/session.json`;
export const qxScorePath = (testId: string) => `${testPrefix(testId)}/qxscore.json`;
export const manifestPath = (testId: string) => `${testPrefix(testId)}/manifest.json`;
export const manifestLinesPath = (testId: string) => `${testPrefix(testId)}/manifest.jsonl`;
/** The page people open to look at a test's archive (archive-page/), and the page listing the tests under the destination. */
export const testPagePath = (testId: string) => `${testPrefix(testId)}/index.html`;
export const ARCHIVE_INDEX_PATH = 'index.html';

type Identity = { kind: AssetKind; testId: string; sessionId?: string; reelId?: string; clipId?: string };

/** Where an asset is (or would be) stored; a record about a whole list (no asset id) points at its folder. */
export function assetObjectPath(a: Identity): string {
  if (a.kind === 'reel') return a.reelId ? reelPath(a.testId, a.reelId) : reelsPrefix(a.testId);
  if (a.kind === 'qxscore') return qxScorePath(a.testId);
  if (!a.sessionId) return testPrefix(a.testId);
  if (a.kind === 'clip') return a.clipId ? clipPath(a.testId, a.sessionId, a.clipId) : `${sessionPrefix(a.testId, a.sessionId)}/clips`;
  if (a.kind === 'details') return detailsPath(a.testId, a.sessionId);
  return a.kind === 'video' ? videoPath(a.testId, a.sessionId) : transcriptPath(a.testId, a.sessionId);
}

/**
 * Records of assets that are not stored (skipped or failed), one small object each, written by the
 * step that decided the asset's fate; `manifest.json` is assembled from them and the stored objects.
 */
export const recordsPrefix = (testId: string) => `${testPrefix(testId)}/_ut-media`;
export const reelRecordsPrefix = (testId: string) => `${recordsPrefix(testId)}/highlight_reels`;
export const sessionRecordsPrefix = (testId: string, sessionId: string) => `${recordsPrefix(testId)}/session_id=${uuid(sessionId, 'sessionId')}`;

/** The record of one asset; a record about a whole list (no asset id) is named after the list. */
export function recordPath(a: Identity): string {
  if (a.kind === 'reel') return a.reelId ? `${reelRecordsPrefix(a.testId)}/${uuid(a.reelId, 'reelId')}.json` : `${reelRecordsPrefix(a.testId)}/list.json`;
  if (a.kind === 'qxscore') return `${recordsPrefix(a.testId)}/qxscore.json`;
  if (!a.sessionId) return `${recordsPrefix(a.testId)}/sessions.json`;
  const folder = sessionRecordsPrefix(a.testId, a.sessionId);
  if (a.kind === 'clip') return a.clipId ? `${folder}/clips/${uuid(a.clipId, 'clipId')}.json` : `${folder}/clips.json`;
  return `${folder}/${a.kind}.json`;
}

/** The full source fields of a stored object whose metadata had to be cut to the store's limit. */
export function fullFieldsPath(a: Identity): string {
  return recordPath(a).replace(/\.json$/, '.fields.json');
}

/** How `findStoredAssets` names a record in `knownAbsent` / `recorded`: kind and asset id, or the list ('clips', 'reels'). */
export function recordKey(a: { kind: Identity['kind']; reelId?: string; clipId?: string }): string {
  const id = a.reelId ?? a.clipId;
  return id ? `${a.kind}:${id}` : a.kind === 'clip' ? 'clips' : a.kind === 'reel' ? 'reels' : a.kind;
}

/**
 * Withdrawals (docs/layout-and-manifest.md, "Withdrawn sessions"): what a run listed (kept while it
 * runs, since its workflow history holds counts only), the marks of archived sessions and reels the
 * API no longer lists, and the tombstones of those pruned.
 */
export const listingsPrefix = (testId: string) => `${recordsPrefix(testId)}/listings`;
export const listingPagePath = (testId: string, listingId: string, list: 'sessions' | 'reels', offset: number) =>
  `${listingsPrefix(testId)}/${listingToken(listingId)}/${list}-${String(offset).padStart(6, '0')}.json`;
export const listingFolder = (testId: string, listingId: string) => `${listingsPrefix(testId)}/${listingToken(listingId)}`;
export const withdrawalMarksPrefix = (testId: string, list: 'sessions' | 'reels') => `${recordsPrefix(testId)}/withdrawn/${list}`;
export const withdrawalMarkPath = (testId: string, list: 'sessions' | 'reels', id: string) =>
  `${withdrawalMarksPrefix(testId, list)}/${uuid(id, list === 'sessions' ? 'sessionId' : 'reelId')}.json`;
export const tombstonesPrefix = (testId: string, list: 'sessions' | 'reels') => `${recordsPrefix(testId)}/pruned/${list}`;
export const tombstonePath = (testId: string, list: 'sessions' | 'reels', id: string) =>
  `${tombstonesPrefix(testId, list)}/${uuid(id, list === 'sessions' ? 'sessionId' : 'reelId')}.json`;

/** A workflow run id is a UUID; anything else (a test's own id) is kept to letters, digits and dashes. */
function listingToken(listingId: string): string {
  const token = listingId.toLowerCase().replace(/[^0-9a-z-]/g, '');
  if (!token) throw new Error('listingId is empty');
  return token;
}
