import { buildManifest } from '../../activities/manifest';
import { manifestLineSchema, manifestLines } from '../../activities/manifest-lines';
import { objectMetadata } from '../../activities/object-metadata';
import { recordOf, type AssetRecord } from '../../activities/asset-records';
import type { StoredObject } from '../../storage';
import type { AssetOutcome } from '../../contract/asset-types';
import { recordPath } from '../../contract/asset-paths';

const testId = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const reelId = '8fdc898f-3b2b-4f45-91a2-2a6b618bc987';
const sessionId = '41f72104-5f84-44fa-a16a-03f5751596ec';

function object(relativePath: string, metadata: Record<string, string>): StoredObject {
  return { uri: `gs://b/${relativePath}`, relativePath, bytes: 10, md5: 'bWQ1', crc32c: 'Y3Jj', metadata, metadataComplete: true };
}

/** A record object as a destination lists it: its fields are its metadata. */
function recordObject(outcome: AssetOutcome): StoredObject {
  const record = recordOf(outcome, '2026-01-01T12:00:00.000Z');
  const metadata: Record<string, string> = { utMediaRecord: '1' };
  for (const [k, v] of Object.entries(record)) metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return object(recordPath(record), metadata);
}
const pathOfRecord = (r: AssetRecord) => `gs://b/${r.kind}-${r.sessionId ?? r.reelId ?? ''}`;

describe('buildManifest', () => {
  test('stored objects from their metadata with typed source fields, plus skipped assets with reasons', () => {
    const reelMeta = objectMetadata(
      { kind: 'reel', testId, reelId },
      { name: 'Checkout', durationMs: 1200, lastUpdatedAtMs: 5, areAllClipsInReel: true, numClips: 2 },
      '2026-01-01T00:00:00.000Z',
    );
    const manifest = buildManifest(
      testId,
      [
        object(`test_id=${testId}/highlight_reels/${reelId}.mp4`, reelMeta),
        recordObject({ kind: 'video', testId, sessionId, status: 'skipped', reason: 'no session video (404)', downloaded: false, notFound: true }),
      ],
      pathOfRecord,
      '2026-01-02T00:00:00.000Z',
    );
    expect(manifest).toEqual({
      testId,
      updatedAt: '2026-01-02T00:00:00.000Z',
      pruned: [],
      assets: [
        {
          kind: 'reel',
          testId,
          reelId,
          status: 'stored',
          storagePath: `gs://b/test_id=${testId}/highlight_reels/${reelId}.mp4`,
          bytes: 10,
          md5: 'bWQ1',
          crc32c: 'Y3Jj',
          downloadedAt: '2026-01-01T00:00:00.000Z',
          name: 'Checkout',
          durationMs: 1200,
          lastUpdatedAtMs: 5,
          areAllClipsInReel: true,
          numClips: 2,
        },
        {
          kind: 'video',
          testId,
          sessionId,
          status: 'skipped',
          reason: 'no session video (404)',
          notFound: true,
          checkedAt: '2026-01-01T12:00:00.000Z',
          storagePath: `gs://b/video-${sessionId}`,
          bytes: null,
          md5: null,
          crc32c: null,
          downloadedAt: null,
        },
      ],
    });
    // manifest.jsonl: every line parses against the documented schema; ids, times and source typed.
    const lines = manifestLines(manifest)
      .trim()
      .split('\n')
      .map((l: string) => manifestLineSchema.parse(JSON.parse(l)));
    expect(lines).toEqual([
      {
        kind: 'reel',
        test_id: testId,
        session_id: null,
        reel_id: reelId,
        clip_id: null,
        status: 'stored',
        reason: null,
        storage_path: `gs://b/test_id=${testId}/highlight_reels/${reelId}.mp4`,
        bytes: 10,
        md5: 'bWQ1',
        crc32c: 'Y3Jj',
        downloaded_at: '2026-01-01T00:00:00.000Z',
        source_updated_at: '1970-01-01T00:00:00.005Z',
        manifest_updated_at: '2026-01-02T00:00:00.000Z',
        first_missed_at: null,
        pruned_at: null,
        source: JSON.stringify({ name: 'Checkout', durationMs: 1200, areAllClipsInReel: true, numClips: 2 }),
      },
      {
        kind: 'video',
        test_id: testId,
        session_id: sessionId,
        reel_id: null,
        clip_id: null,
        status: 'skipped',
        reason: 'no session video (404)',
        storage_path: `gs://b/video-${sessionId}`,
        bytes: null,
        md5: null,
        crc32c: null,
        downloaded_at: null,
        source_updated_at: null,
        manifest_updated_at: '2026-01-02T00:00:00.000Z',
        first_missed_at: null,
        pruned_at: null,
        source: JSON.stringify({ notFound: true, checkedAt: '2026-01-01T12:00:00.000Z' }),
      },
    ]);
    expect(() => manifestLineSchema.parse({ ...lines[0], extra: 1 })).toThrow();
  });

  test('a stored copy wins over a failed refresh of the same asset; other tests and incomplete objects are left out', () => {
    const meta = objectMetadata({ kind: 'reel', testId, reelId }, {}, 'now');
    const manifest = buildManifest(
      testId,
      [
        object('a', meta),
        object('b', { ...meta, testId: 'other' }),
        { ...object('c', meta), metadataComplete: false },
        recordObject({ kind: 'reel', testId, reelId, status: 'failed', reason: 'x', downloaded: false }),
      ],
      pathOfRecord,
      'now',
    );
    expect(manifest.assets.map((a) => [a.storagePath, a.status])).toEqual([['gs://b/a', 'stored']]);
  });
});

describe('assetObjectPath', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { assetObjectPath: objectPathOf } = require('../../contract/asset-paths') as typeof import('../../contract/asset-paths');
  test('records about a whole list point at its folder instead of throwing', () => {
    expect(objectPathOf({ kind: 'reel', testId })).toBe(`test_id=${testId}/highlight_reels`);
    expect(objectPathOf({ kind: 'clip', testId, sessionId })).toBe(`test_id=${testId}/session_id=${sessionId}/clips`);
    expect(objectPathOf({ kind: 'video', testId })).toBe(`test_id=${testId}`);
    expect(objectPathOf({ kind: 'video', testId, sessionId })).toBe(`test_id=${testId}/session_id=${sessionId}/session.mp4`);
  });
});
