import { fitMetadata, METADATA_BUDGET_BYTES } from '../../activities/metadata-limits';

const size = (m: Record<string, string>) => Object.entries(m).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);

describe('metadata within the store limit', () => {
  test('small metadata is left alone', () => {
    const m = { kind: 'clip', clipId: 'c', description: 'short' };
    expect(fitMetadata(m)).toEqual({ metadata: m, cut: {} });
  });

  test('a 10 KB description (multi-byte text too) is cut to fit, the object names what was cut, the full value is returned', () => {
    const description = `../../etc "quoted"\n${'élan '.repeat(2500)}`;
    const m = { kind: 'clip', testId: 't', sessionId: 's', clipId: 'c', name: 'n', description, downloadedAt: 'now' };
    const { metadata, cut } = fitMetadata(m);
    expect(size(metadata)).toBeLessThanOrEqual(METADATA_BUDGET_BYTES);
    expect(metadata.truncatedFields).toBe('description');
    expect(metadata.description.endsWith('…')).toBe(true);
    expect(description.startsWith(metadata.description.slice(0, -1))).toBe(true);
    expect(cut).toEqual({ description });
    expect({ kind: metadata.kind, clipId: metadata.clipId, downloadedAt: metadata.downloadedAt }).toEqual({ kind: 'clip', clipId: 'c', downloadedAt: 'now' });
  });
});

describe('records within the store limit', () => {
  test('a skipped clip with a 10 KB description: its record metadata fits, the manifest has the description whole', async () => {
    const { openDestination } = await import('../../storage');
    const { recordOf, writeRecord } = await import('../../activities/asset-records');
    const { buildManifest } = await import('../../activities/manifest');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'records-limit-'));
    const destination = openDestination({ scheme: 'file', root });
    const testId = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
    const description = 'long '.repeat(2000);
    const outcome = {
      kind: 'clip' as const,
      testId,
      sessionId: '41f72104-5f84-44fa-a16a-03f5751596ec',
      clipId: '8fdc898f-3b2b-4f45-91a2-2a6b618bc987',
      status: 'skipped' as const,
      reason: 'the API no longer has this clip (404)',
      downloaded: false,
      notFound: true,
    };
    await writeRecord(destination, recordOf(outcome, '2026-01-01T00:00:00.000Z', { description }));
    const [object] = await destination.list(`test_id=${testId}`);
    expect(size(object.metadata)).toBeLessThanOrEqual(METADATA_BUDGET_BYTES);
    expect(object.metadata.truncatedFields).toBe('description');
    const body = JSON.parse(fs.readFileSync(path.join(root, object.relativePath), 'utf8'));
    const manifest = buildManifest(testId, [object], () => 'x', 'now', new Map([[object.relativePath, { description: body.description }]]));
    expect(manifest.assets[0]).toMatchObject({ status: 'skipped', notFound: true, description });
    expect(manifest.assets[0].truncatedFields).toBeUndefined();
  });
});
