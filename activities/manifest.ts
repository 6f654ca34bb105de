import type { StoredObject } from '../storage';
import type { AssetKind, AssetOutcome } from '../workflows/asset-types';
import { parseObjectMetadata } from './object-metadata';

export interface ManifestAsset {
  kind: AssetKind;
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

const KINDS = new Set<AssetKind>(['reel', 'clip', 'video', 'transcript']);

export function assetKey(a: { kind: AssetKind; sessionId?: string; reelId?: string; clipId?: string }): string {
  return `${a.kind}:${a.reelId ?? a.clipId ?? a.sessionId ?? ''}`;
}

/**
 * The manifest: every stored object under the test (from its own metadata, so it is true even when
 * a run was interrupted), plus this run's skipped and failed assets, in a stable order.
 */
export function buildManifest(testId: string, storedObjects: StoredObject[], others: Array<AssetOutcome & { storagePath: string }>, updatedAt: string): Manifest {
  const byKey = new Map<string, ManifestAsset>();
  for (const object of storedObjects) {
    if (!object.metadataComplete) continue;
    const meta = parseObjectMetadata(object.metadata);
    const kind = meta.kind as AssetKind;
    if (!KINDS.has(kind) || meta.testId !== testId) continue;
    const { sourceBytes: _sourceBytes, ...fields } = meta;
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
  for (const outcome of others) {
    const key = assetKey(outcome);
    if (byKey.has(key)) continue; // an earlier copy is still stored and valid
    byKey.set(key, {
      ...(outcome.source ?? {}),
      kind: outcome.kind,
      testId: outcome.testId,
      ...(outcome.sessionId ? { sessionId: outcome.sessionId } : {}),
      ...(outcome.reelId ? { reelId: outcome.reelId } : {}),
      ...(outcome.clipId ? { clipId: outcome.clipId } : {}),
      status: outcome.status,
      reason: outcome.reason,
      storagePath: outcome.storagePath,
      bytes: null,
      md5: null,
      crc32c: null,
      downloadedAt: null,
    });
  }
  const order: Record<AssetKind, number> = { reel: 0, video: 1, transcript: 2, clip: 3 };
  const assets = [...byKey.values()].sort(
    (a, b) => (a.sessionId ?? '').localeCompare(b.sessionId ?? '') || order[a.kind] - order[b.kind] || assetKey(a).localeCompare(assetKey(b)),
  );
  return { testId, updatedAt, assets };
}
