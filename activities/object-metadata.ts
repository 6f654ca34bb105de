import type { AssetKind } from '../contract/asset-types';

/** Source fields copied from the API into object metadata and the manifest, with their JSON type. */
const NUMBER_FIELDS = new Set([
  'durationMs',
  'lastUpdatedAtMs',
  'numClips',
  'timeStartMs',
  'timeEndMs',
  'sourceBytes',
  'sessionsListed',
  'completes',
  'totalQxTasks',
]);
const BOOLEAN_FIELDS = new Set(['areAllClipsInReel', 'hasAudio', 'hasCamera', 'studyWithClips', 'notFound']);

export type SourceFields = Record<string, string | number | boolean | null | undefined>;

/** Custom metadata of a media object: identity, source fields, download time. All values strings. */
export function objectMetadata(
  identity: { kind: AssetKind; testId: string; sessionId?: string; reelId?: string; clipId?: string },
  source: SourceFields,
  downloadedAt: string,
) {
  return metadataStrings({ ...source, ...identity, downloadedAt });
}

/** Fields as custom metadata: strings as they are, other values as JSON, null and undefined dropped. */
export function metadataStrings(fields: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/** Reads metadata strings back into typed manifest fields. */
export function parseObjectMetadata(metadata: Record<string, string>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (NUMBER_FIELDS.has(k) && v !== '' && Number.isFinite(Number(v))) out[k] = Number(v);
    else if (BOOLEAN_FIELDS.has(k) && (v === 'true' || v === 'false')) out[k] = v === 'true';
    else out[k] = v;
  }
  return out;
}
