import { z } from 'zod';
import { MANIFEST_KIND_LIST, type Manifest, type ManifestAsset, type ManifestKind, type ManifestTombstone } from '../contract/manifest-types';

/** The identity and outcome columns; everything else an asset carries goes into `source`. */
const COLUMNS = new Set([
  'kind',
  'testId',
  'sessionId',
  'reelId',
  'clipId',
  'status',
  'reason',
  'storagePath',
  'bytes',
  'md5',
  'crc32c',
  'downloadedAt',
  'lastUpdatedAtMs',
  'firstMissedAt',
]);

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
const timestamp = z.iso.datetime();

/**
 * One line of `manifest.jsonl`: the same columns for every kind, snake_case, ids as lower-case
 * UUIDs, times as ISO-8601 UTC timestamps, absent values as null, and the kind-specific source
 * fields (names, durations, tasks...) as one JSON string, so BigQuery, Athena or Spark read the file
 * as an external table with a fixed schema (docs/layout-and-manifest.md,
 * "Loading the manifest into a table").
 */
export const manifestLineSchema = z
  .object({
    /** An asset's kind (`page` for the test's index.html); `session` for the tombstone of a pruned session. */
    kind: z.union([z.enum(MANIFEST_KIND_LIST as [ManifestKind, ...ManifestKind[]]), z.literal('session')]),
    test_id: uuid,
    session_id: uuid.nullable(),
    reel_id: uuid.nullable(),
    clip_id: uuid.nullable(),
    status: z.enum(['stored', 'skipped', 'failed', 'withdrawn', 'pruned']),
    reason: z.string().nullable(),
    storage_path: z.string().min(1),
    bytes: z.number().int().nonnegative().nullable(),
    md5: z.string().nullable(),
    crc32c: z.string().nullable(),
    downloaded_at: timestamp.nullable(),
    source_updated_at: timestamp.nullable(),
    manifest_updated_at: timestamp,
    first_missed_at: timestamp.nullable(),
    pruned_at: timestamp.nullable(),
    source: z.string(),
  })
  .strict();
export type ManifestLine = z.output<typeof manifestLineSchema>;

const idOrNull = (v: unknown) => (typeof v === 'string' && v ? v.toLowerCase() : null);

export function manifestLineOf(asset: ManifestAsset, manifestUpdatedAt: string): ManifestLine {
  const source = Object.fromEntries(Object.entries(asset).filter(([k]) => !COLUMNS.has(k)));
  const updatedMs = Number(asset.lastUpdatedAtMs);
  return {
    kind: asset.kind,
    test_id: asset.testId.toLowerCase(),
    session_id: idOrNull(asset.sessionId),
    reel_id: idOrNull(asset.reelId),
    clip_id: idOrNull(asset.clipId),
    status: asset.status,
    reason: asset.reason ?? null,
    storage_path: asset.storagePath,
    bytes: asset.bytes,
    md5: asset.md5,
    crc32c: asset.crc32c,
    downloaded_at: asset.downloadedAt,
    source_updated_at: asset.lastUpdatedAtMs !== undefined && Number.isFinite(updatedMs) ? new Date(updatedMs).toISOString() : null,
    manifest_updated_at: manifestUpdatedAt,
    first_missed_at: asset.firstMissedAt || null,
    pruned_at: null,
    source: JSON.stringify(source),
  };
}

/** A pruned session or reel: what went and when; `bytes` are the bytes removed. */
function tombstoneLineOf(tombstone: ManifestTombstone, manifestUpdatedAt: string): ManifestLine {
  return {
    kind: tombstone.list === 'sessions' ? 'session' : 'reel',
    test_id: tombstone.testId.toLowerCase(),
    session_id: idOrNull(tombstone.sessionId),
    reel_id: idOrNull(tombstone.reelId),
    clip_id: null,
    status: 'pruned',
    reason: `withdrawn from the API; its ${tombstone.objects} objects were removed by ingest --prune`,
    storage_path: tombstone.storagePath,
    bytes: tombstone.bytes,
    md5: null,
    crc32c: null,
    downloaded_at: null,
    source_updated_at: null,
    manifest_updated_at: manifestUpdatedAt,
    first_missed_at: tombstone.firstMissedAt || null,
    pruned_at: tombstone.prunedAt || null,
    source: JSON.stringify({ objects: tombstone.objects, removedKinds: tombstone.removedKinds }),
  };
}

/** `manifest.jsonl`: one `ManifestLine` a line. */
export function manifestLines(manifest: Manifest): string {
  const lines = [
    ...manifest.assets.map((a) => manifestLineOf(a, manifest.updatedAt)),
    ...(manifest.pruned ?? []).map((t) => tombstoneLineOf(t, manifest.updatedAt)),
  ];
  return lines.map((line) => `${JSON.stringify(line)}\n`).join('');
}
