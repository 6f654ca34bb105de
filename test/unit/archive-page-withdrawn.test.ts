/** A session the API no longer lists is still archived until pruned: the page plays it and says so. */
import { buildPageModel, renderTestPage } from '../../archive-page';
import type { Manifest, ManifestAsset } from '../../contract/manifest-types';

const TEST_ID = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
const KEPT = '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a';
const WITHDRAWN = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';

function video(sessionId: string, extra: Partial<ManifestAsset> = {}): ManifestAsset {
  return {
    kind: 'video',
    testId: TEST_ID,
    sessionId,
    status: 'stored',
    storagePath: `file:///archive/test_id=${TEST_ID}/session_id=${sessionId}/video.mp4`,
    bytes: 10,
    md5: 'x',
    crc32c: 'y',
    downloadedAt: '2026-12-01T00:00:00.000Z',
    ...extra,
  };
}

const noSources = { transcript: async () => undefined, details: async () => undefined, qxScores: async () => undefined };

test('a withdrawn session keeps its player, is marked with when it was first missed, and is counted as withdrawn', async () => {
  const manifest: Manifest = {
    testId: TEST_ID,
    updatedAt: '2026-12-05T00:00:00.000Z',
    assets: [video(KEPT), video(WITHDRAWN, { status: 'withdrawn', firstMissedAt: '2026-12-04T10:00:00.000Z', reason: 'the API no longer lists this session' })],
  };
  const model = await buildPageModel(manifest, noSources);
  const rows = new Map(model.sessions.map((s) => [s.sessionId, s]));
  expect(rows.get(WITHDRAWN)).toMatchObject({ withdrawnSince: '2026-12-04T10:00:00.000Z', video: expect.stringContaining(WITHDRAWN) });
  expect(rows.get(KEPT)!.withdrawnSince).toBeUndefined();
  expect(model.kinds.video).toEqual({ stored: 1, skipped: 0, failed: 0, withdrawn: 1 });

  const html = renderTestPage(model);
  expect(html).toContain(`<article class="session-row withdrawn" id="session-${WITHDRAWN}"`);
  expect(html).toContain(`<article class="session-row" id="session-${KEPT}"`);
  expect(html).toContain('the API no longer lists this session (first missed 2026-12-04T10:00:00.000Z)');
});

test('a session that failed before it was withdrawn has nothing to play', async () => {
  const manifest: Manifest = {
    testId: TEST_ID,
    updatedAt: '2026-12-05T00:00:00.000Z',
    assets: [video(WITHDRAWN, { status: 'withdrawn', statusBeforeWithdrawal: 'failed', firstMissedAt: '2026-12-04T10:00:00.000Z', bytes: null })],
  };
  const [row] = (await buildPageModel(manifest, noSources)).sessions;
  expect(row).toMatchObject({ withdrawnSince: '2026-12-04T10:00:00.000Z' });
  expect(row!.video).toBeUndefined();
});
