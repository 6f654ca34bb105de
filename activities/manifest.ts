import type { StoredObject } from '../storage';
import { ASSET_KIND_LIST, isAssetKind, type AssetKind } from '../contract/asset-types';
import { readRecord, type AssetRecord } from './asset-records';
import { parseObjectMetadata } from './object-metadata';

/** What the manifest lists: the assets, and the test's page (`index.html`, archive-page/). */
export type ManifestKind = AssetKind | 'page';
export const MANIFEST_KIND_LIST: ManifestKind[] = [...ASSET_KIND_LIST, 'page'];

export interface ManifestAsset {
  kind: ManifestKind;
  testId: string;
  sessionId?: string;
  reelId?: string;
  clipId?: string;
  status: 'stored' | 'skipped' | 'failed';
  reason?: string;
  storagePath: string;
  bytes: number | null;
  md5: string | null;
  crc32c: string | null;
  downloadedAt: string | null;
  [sourceField: string]: unknown;
}

export interface Manifest {
  testId: string;
  updatedAt: string;
  assets: ManifestAsset[];
}

export function assetKey(a: { kind: ManifestKind; sessionId?: string; reelId?: string; clipId?: string }): string {
  return `${a.kind}:${a.reelId ?? a.clipId ?? a.sessionId ?? ''}`;
}

/**
 * The manifest, from the destination alone: every stored object under the test (from its own
 * metadata, so it is true even when a run was interrupted) and every record of a skipped or failed
 * asset, of this run and of earlier ones. A stored object wins over a record of the same asset.
 */
export function buildManifest(
  testId: string,
  objects: StoredObject[],
  storagePathOf: (record: AssetRecord) => string,
  updatedAt: string,
  fullFields: Map<string, Record<string, string>> = new Map(),
): Manifest {
  const byKey = new Map<string, ManifestAsset>();
  const records: AssetRecord[] = [];
  for (const object of objects) {
    const record = readRecord(object, testId);
    if (record) {
      records.push({ ...record, ...parseObjectMetadata(fullFields.get(object.relativePath) ?? {}) });
      continue;
    }
    if (!object.metadataComplete) continue;
    const meta = parseObjectMetadata(object.metadata);
    const kind = meta.kind as AssetKind;
    if (!isAssetKind(kind) || meta.testId !== testId) continue;
    // Fields cut to the store's metadata limit are restored from their full copy.
    const {
      sourceBytes: _sourceBytes,
      truncatedFields: _truncated,
      ...fields
    } = { ...meta, ...parseObjectMetadata(fullFields.get(object.relativePath) ?? {}) };
    const asset: ManifestAsset = {
      ...fields,
      kind,
      testId,
      status: 'stored',
      storagePath: object.uri,
      bytes: object.bytes,
      md5: object.md5,
      crc32c: object.crc32c,
      downloadedAt: typeof meta.downloadedAt === 'string' ? meta.downloadedAt : null,
    };
    byKey.set(assetKey(asset), asset);
  }
  for (const record of records) {
    const key = assetKey(record);
    if (byKey.has(key)) continue; // stored since: the record is history
    byKey.set(key, { ...record, storagePath: storagePathOf(record), bytes: null, md5: null, crc32c: null, downloadedAt: null });
  }
  const order: Record<ManifestKind, number> = { page: -1, qxscore: 0, reel: 1, details: 2, video: 3, transcript: 4, clip: 5 };
  const assets = [...byKey.values()].sort(
    (a, b) => (a.sessionId ?? '').localeCompare(b.sessionId ?? '') || order[a.kind] - order[b.kind] || assetKey(a).localeCompare(assetKey(b)),
  );
  return { testId, updatedAt, assets };
}
