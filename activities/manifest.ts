import type { StoredObject } from '../storage';
import { reelPath, sessionPrefix } from '../contract/asset-paths';
import { isAssetKind, type AssetKind } from '../contract/asset-types';
import type { Manifest, ManifestAsset, ManifestKind, ManifestTombstone } from '../contract/manifest-types';
import { readRecord, type AssetRecord } from './asset-records';
import { parseObjectMetadata } from './object-metadata';
import type { WithdrawableList } from '../contract/withdrawals';

const WITHDRAWN_REASON: Record<WithdrawableList, string> = {
  sessions: 'the API no longer lists this session (withdrawn); ingest --prune removes it',
  reels: 'the API no longer lists this highlight reel (withdrawn); ingest --prune removes it',
};

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
  folderUri: (relativePath: string) => string = (relativePath) => relativePath,
): Manifest {
  const byKey = new Map<string, ManifestAsset>();
  const records: AssetRecord[] = [];
  const marks: Record<WithdrawableList, Map<string, string>> = { sessions: new Map(), reels: new Map() };
  const pruned: ManifestTombstone[] = [];
  for (const object of objects) {
    const m = object.metadata;
    if (m.utMediaListing === '1') continue;
    if (m.utMediaWithdrawal === '1' && (m.list === 'sessions' || m.list === 'reels') && m.id) {
      marks[m.list].set(m.id, m.firstMissedAt ?? '');
      continue;
    }
    if (m.utMediaTombstone === '1' && (m.list === 'sessions' || m.list === 'reels') && m.id) {
      pruned.push(tombstoneOf(testId, m.list, m.id, m, folderUri));
      continue;
    }
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
  for (const asset of byKey.values()) {
    const list: WithdrawableList | undefined =
      asset.sessionId && marks.sessions.has(asset.sessionId)
        ? 'sessions'
        : asset.kind === 'reel' && asset.reelId && marks.reels.has(asset.reelId)
          ? 'reels'
          : undefined;
    if (!list) continue;
    if (asset.status === 'skipped' || asset.status === 'failed') asset.statusBeforeWithdrawal = asset.status;
    asset.status = 'withdrawn';
    asset.reason = WITHDRAWN_REASON[list];
    asset.firstMissedAt = marks[list].get(list === 'sessions' ? asset.sessionId! : asset.reelId!);
  }
  const order: Record<ManifestKind, number> = { page: -1, qxscore: 0, reel: 1, details: 2, video: 3, transcript: 4, clip: 5 };
  const assets = [...byKey.values()].sort(
    (a, b) => (a.sessionId ?? '').localeCompare(b.sessionId ?? '') || order[a.kind] - order[b.kind] || assetKey(a).localeCompare(assetKey(b)),
  );
  pruned.sort((a, b) => a.list.localeCompare(b.list) || (a.sessionId ?? a.reelId ?? '').localeCompare(b.sessionId ?? b.reelId ?? ''));
  return { testId, updatedAt, assets, pruned };
}

function tombstoneOf(
  testId: string,
  list: WithdrawableList,
  id: string,
  m: Record<string, string>,
  folderUri: (relativePath: string) => string,
): ManifestTombstone {
  let removedKinds: Record<string, number> = {};
  try {
    removedKinds = JSON.parse(m.removedKinds ?? '{}') as Record<string, number>;
  } catch {
    // A tombstone whose metadata was cut still says what and when; its body lists every object.
  }
  return {
    list,
    testId,
    ...(list === 'sessions' ? { sessionId: id } : { reelId: id }),
    status: 'pruned',
    storagePath: folderUri(list === 'sessions' ? sessionPrefix(testId, id) : reelPath(testId, id)),
    firstMissedAt: m.firstMissedAt ?? '',
    prunedAt: m.prunedAt ?? '',
    objects: Number(m.objects) || 0,
    bytes: Number(m.bytes) || 0,
    removedKinds,
  };
}
