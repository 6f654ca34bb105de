/**
 * The shape of `manifest.json` (docs/layout-and-manifest.md): what activities assemble, and what the
 * CLI, the archive page and embedding code read back.
 */
import { ASSET_KIND_LIST, type AssetKind } from './asset-types';
import type { WithdrawableList } from './withdrawals';

/** What the manifest lists: the assets, and the test's page (`index.html`, archive-page/). */
export type ManifestKind = AssetKind | 'page';
export const MANIFEST_KIND_LIST: ManifestKind[] = [...ASSET_KIND_LIST, 'page'];

export interface ManifestAsset {
  kind: ManifestKind;
  testId: string;
  sessionId?: string;
  reelId?: string;
  clipId?: string;
  /** `withdrawn`: the API no longer lists its session (or reel); kept until pruned. */
  status: 'stored' | 'skipped' | 'failed' | 'withdrawn';
  reason?: string;
  /** Withdrawn: when a complete listing first missed its session or reel. */
  firstMissedAt?: string;
  /** Withdrawn: its status before, when that was not `stored` (then nothing of it is archived). */
  statusBeforeWithdrawal?: 'skipped' | 'failed';
  storagePath: string;
  bytes: number | null;
  md5: string | null;
  crc32c: string | null;
  downloadedAt: string | null;
  [sourceField: string]: unknown;
}

/** Its object is in the archive: stored, or withdrawn after it was stored (kept until pruned). */
export function isArchived(asset: Pick<ManifestAsset, 'status' | 'statusBeforeWithdrawal'>): boolean {
  return asset.status === 'stored' || (asset.status === 'withdrawn' && asset.statusBeforeWithdrawal === undefined);
}

/** A withdrawn session or reel whose objects were removed (`--prune`): what went, and when. */
export interface ManifestTombstone {
  list: WithdrawableList;
  testId: string;
  sessionId?: string;
  reelId?: string;
  status: 'pruned';
  /** The session's folder, or the reel's object. */
  storagePath: string;
  firstMissedAt: string;
  prunedAt: string;
  objects: number;
  bytes: number;
  /** Objects removed, by kind (`video`, `clip`, ..., `record` for records, `fields` for cut source fields). */
  removedKinds: Record<string, number>;
}

export interface Manifest {
  testId: string;
  updatedAt: string;
  assets: ManifestAsset[];
  /** Absent in manifests written before withdrawals. */
  pruned?: ManifestTombstone[];
}
