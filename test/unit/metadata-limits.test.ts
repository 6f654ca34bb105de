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
