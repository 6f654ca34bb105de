/** Custom metadata as stored: string values only, null and undefined dropped. */
import type { MetadataInput } from './destination';

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
