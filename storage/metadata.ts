/** Custom metadata as stored: string values only, null and undefined dropped. */
import type { MetadataInput } from './destination';

/** GCS takes 8 KiB of custom metadata (keys and values); a KiB is left for what the service adds. */
export const GCS_METADATA_BUDGET_BYTES = 7 * 1024;

export function stringifyMetadata(input: MetadataInput | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!input) return out;
  for (const [key, value] of Object.entries(input)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    out[key] = String(value);
  }
  return out;
}
