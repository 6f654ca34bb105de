/** Custom metadata as stored: string values only, null and undefined dropped. */
import type { MetadataInput } from './destination';

/**
 * What callers may put in an object's custom metadata on gs:// (GCS allows 8 KiB of names and
 * values together; the rest is headroom) and in a local sidecar (kept alike, so a folder and a
 * bucket hold the same metadata).
 */
export const DEFAULT_METADATA_BUDGET_BYTES = 7 * 1024;

export function stringifyMetadata(input: MetadataInput | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!input) return out;
  for (const [key, value] of Object.entries(input)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    setEntry(out, key, String(value));
  }
  return out;
}

/** Adds an entry as data: assigning a name such as `__proto__` would set the prototype and lose it. */
export function setEntry(target: Record<string, string>, name: string, value: string): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}
