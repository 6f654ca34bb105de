import { z } from 'zod';
import { MANIFEST_KIND_LIST, type Manifest, type ManifestAsset, type ManifestKind } from './manifest';

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
    kind: z.enum(MANIFEST_KIND_LIST as [ManifestKind, ...ManifestKind[]]),
    test_id: uuid,
    session_id: uuid.nullable(),
    reel_id: uuid.nullable(),
    clip_id: uuid.nullable(),
    status: z.enum(['stored', 'skipped', 'failed']),
    reason: z.string().nullable(),
    storage_path: z.string().min(1),
    bytes: z.number().int().nonnegative().nullable(),
    md5: z.string().nullable(),
    crc32c: z.string().nullable(),
    downloaded_at: timestamp.nullable(),
    source_updated_at: timestamp.nullable(),
    manifest_updated_at: timestamp,
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
    source: JSON.stringify(source),
  };
}

/** `manifest.jsonl`: one `ManifestLine` a line. */
export function manifestLines(manifest: Manifest): string {
  return manifest.assets.map((a) => `${JSON.stringify(manifestLineOf(a, manifest.updatedAt))}\n`).join('');
}
