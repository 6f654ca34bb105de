import type { Destination, StoredObject } from '../storage';
import { fullFieldsPath, recordPath } from '../contract/asset-paths';
import { isAssetKind, type AssetIdentity, type AssetKind, type AssetOutcome } from '../contract/asset-types';
import { fitMetadata } from './metadata-limits';
import { metadataStrings, parseObjectMetadata, type SourceFields } from './object-metadata';

/**
 * The record of an asset that is not stored: a small JSON object under `test_id=<id>/_ut-media/`,
 * written by the step that decided the asset's fate. Its fields are also its custom metadata, so
 * the manifest is assembled from one listing, without reading each record.
 */
export interface AssetRecord extends AssetIdentity {
  status: 'skipped' | 'failed';
  reason: string;
  /** The API answered 404: not asked again until the re-check age has passed. */
  notFound: boolean;
  checkedAt: string;
  [sourceField: string]: unknown;
}

export function recordOf(outcome: AssetOutcome, checkedAt: string, source: SourceFields = {}): AssetRecord {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries({ ...source, ...(outcome.source ?? {}) })) if (v !== undefined && v !== null) fields[k] = v;
  return {
    ...fields,
    kind: outcome.kind,
    testId: outcome.testId,
    ...(outcome.sessionId ? { sessionId: outcome.sessionId } : {}),
    ...(outcome.reelId ? { reelId: outcome.reelId } : {}),
    ...(outcome.clipId ? { clipId: outcome.clipId } : {}),
    status: outcome.status === 'skipped' ? 'skipped' : 'failed',
    reason: outcome.reason ?? 'unknown',
    notFound: outcome.notFound === true,
    checkedAt,
  };
}

/** Its fields are its metadata, cut to the store's limit like any object's; the body keeps them whole. */
export async function writeRecord(destination: Destination, record: AssetRecord): Promise<void> {
  const { metadata } = fitMetadata({ utMediaRecord: '1', ...metadataStrings(record) }, destination.metadataBudgetBytes);
  await destination.writeSmallObject(recordPath(record), `${JSON.stringify(record)}\n`, { contentType: 'application/json', metadata });
}

/** The outcome of an asset now stored; its record (skipped or failed earlier), if any, goes. */
export async function storedOutcome(
  destination: Destination,
  identity: AssetIdentity,
  bytes: number,
  downloaded: boolean,
  hadRecord: boolean | undefined,
): Promise<AssetOutcome> {
  if (hadRecord) await removeRecord(destination, identity);
  return { ...identity, status: 'stored', downloaded, bytes };
}

/** The API has no such asset (404): its record says so, with the time, for the re-check age. */
export async function recordAbsent(
  destination: Destination,
  identity: AssetIdentity,
  reason: string,
  source: SourceFields,
  checkedAt: string,
): Promise<AssetOutcome> {
  const outcome: AssetOutcome = { ...identity, status: 'skipped', reason, downloaded: false, notFound: true };
  await writeRecord(destination, recordOf(outcome, checkedAt, source));
  return outcome;
}

/** Source fields cut from an object's metadata, kept whole beside it; written before the object, so one that says its fields were cut always has them. */
export async function writeCutFields(destination: Destination, identity: AssetIdentity, cut: Record<string, unknown>): Promise<void> {
  if (Object.keys(cut).length)
    await destination.writeSmallObject(fullFieldsPath(identity), `${JSON.stringify(cut)}\n`, {
      contentType: 'application/json',
      metadata: { utMediaFields: '1' },
    });
}

export async function removeCutFields(destination: Destination, identity: AssetIdentity): Promise<void> {
  await destination.remove(fullFieldsPath(identity));
}

export async function removeRecord(destination: Destination, identity: AssetIdentity): Promise<void> {
  await destination.remove(recordPath(identity));
}

/** The record an object under `_ut-media/` holds, from its metadata; undefined for anything else. */
export function readRecord(object: StoredObject, testId: string): AssetRecord | undefined {
  if (!object.metadataComplete || object.metadata.utMediaRecord !== '1') return undefined;
  const { utMediaRecord: _marker, truncatedFields: _cut, ...rest } = object.metadata;
  const fields = parseObjectMetadata(rest);
  const kind = fields.kind as AssetKind;
  if (!isAssetKind(kind) || fields.testId !== testId) return undefined;
  if (fields.status !== 'skipped' && fields.status !== 'failed') return undefined;
  return {
    ...fields,
    kind,
    testId,
    status: fields.status,
    reason: String(fields.reason ?? ''),
    notFound: rest.notFound === 'true',
    checkedAt: String(fields.checkedAt ?? ''),
  };
}
