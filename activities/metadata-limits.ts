/**
 * Object stores cap custom metadata: GCS at 8 KiB for all keys and values together, Azure too but
 * encoded, S3 at 2 KB. A long clip description must not keep the clip from being stored, so the
 * longest source texts are cut to the destination's budget (`Destination.metadataBudgetBytes` says
 * how much each takes), the object says which (`truncatedFields`), and the full values are kept for
 * the manifest: beside a media object (fullFieldsPath), in a record's own body.
 */
import { DEFAULT_METADATA_BUDGET_BYTES } from '../storage/metadata';

/** The default budget, GCS's. */
export const METADATA_BUDGET_BYTES = DEFAULT_METADATA_BUDGET_BYTES;
const KEEP_AT_LEAST = 64;
const MARK = '…';
/** Never cut: the asset's identity and what reruns decide by. */
const UNTOUCHABLE = new Set([
  'kind',
  'testId',
  'sessionId',
  'reelId',
  'clipId',
  'lastUpdatedAtMs',
  'downloadedAt',
  'sourceBytes',
  'status',
  'notFound',
  'checkedAt',
  'utMediaRecord',
]);

const sizeOf = (m: Record<string, string>) => Object.entries(m).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);

/** The metadata cut to the budget, and the full values of the fields that were cut. */
export function fitMetadata(
  metadata: Record<string, string>,
  budget = METADATA_BUDGET_BYTES,
): { metadata: Record<string, string>; cut: Record<string, string> } {
  const out = { ...metadata };
  const cut: Record<string, string> = {};
  let over = sizeOf(out) - budget;
  if (over <= 0) return { metadata: out, cut };
  over += Buffer.byteLength('truncatedFields') + 64;
  const candidates = Object.keys(out)
    .filter((k) => !UNTOUCHABLE.has(k))
    .sort((a, b) => Buffer.byteLength(out[b]) - Buffer.byteLength(out[a]));
  for (const key of candidates) {
    if (over <= 0) break;
    const value = out[key];
    const bytes = Buffer.byteLength(value);
    if (bytes <= KEEP_AT_LEAST) break;
    const keep = Math.max(KEEP_AT_LEAST, bytes - over - Buffer.byteLength(MARK));
    const shortened = `${Buffer.from(value)
      .subarray(0, keep)
      .toString('utf8')
      .replace(/\uFFFD$/, '')}${MARK}`;
    cut[key] = value;
    out[key] = shortened;
    over -= bytes - Buffer.byteLength(shortened);
  }
  if (Object.keys(cut).length) out.truncatedFields = Object.keys(cut).join(',');
  return { metadata: out, cut };
}
