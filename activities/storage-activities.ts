import {
  assetObjectPath,
  fullFieldsPath,
  recordKey,
  manifestLinesPath,
  manifestPath,
  qxScorePath,
  recordPath,
  reelRecordsPrefix,
  reelsPrefix,
  sessionPrefix,
  sessionRecordsPrefix,
  testPrefix,
} from '../contract/asset-paths';
import type { AssetIdentity, AssetOutcome } from '../contract/asset-types';
import type { StoredQxScore } from '../contract/asset-types';
import { readRecord, recordOf, removeRecord, writeRecord } from './asset-records';
import type { ActivityDeps } from './deps';
import { heartbeatingActivities } from './activity-context';
import { withFailureMapping } from './failures';
import { archivedTestOf, pageManifestAsset, writeArchiveIndex, writeTestPage } from '../archive-page';
import { buildManifest } from './manifest';
import { readJsonObject } from './archived-members';
import { manifestLines } from './manifest-lines';
import { metadataStrings } from './object-metadata';

/** A stored object as the workflow needs to see it: enough to decide, nothing more. */
export interface StoredAssetInfo {
  relativePath: string;
  lastUpdatedAtMs?: number;
}

/** What the destination knows of one session (or of the test's reels): bounded by that session's assets. */
export interface StoredAssets {
  /** Complete objects (media + metadata) by relative path. */
  stored: Record<string, StoredAssetInfo>;
  /** Assets (or lists: 'clips', 'reels') the API answered 404 for within the re-check age: not asked again. */
  knownAbsent: string[];
  /** Assets with a record (skipped or failed earlier): a later success removes the record. */
  recorded: string[];
}

/**
 * Activities that touch only the destination; they run on the main task queue, outside the API
 * budget, and heartbeat while they run (a dead worker's attempt is retried after the heartbeat timeout).
 */
export function createStorageActivities(deps: ActivityDeps) {
  const now = () => deps.now?.() ?? new Date();
  return heartbeatingActivities({
    /** One session's objects and records, or (without sessionId) the test's reels. Validates the destination. */
    async findStoredAssets(input: { dest: string; testId: string; sessionId?: string; absentRecheckMs?: number }): Promise<StoredAssets> {
      return withFailureMapping(async () => {
        const destination = deps.openDestination(input.dest);
        // What writers that crashed a day ago or more left is debris, never a write in progress.
        if (!input.sessionId) await destination.sweepAbandonedWrites?.(24 * 3600 * 1000);
        const prefix = input.sessionId ? sessionPrefix(input.testId, input.sessionId) : reelsPrefix(input.testId);
        const stored: Record<string, StoredAssetInfo> = {};
        for (const object of await destination.list(prefix)) {
          if (!object.metadataComplete) continue;
          const updated = Number(object.metadata.lastUpdatedAtMs);
          stored[object.relativePath] = { relativePath: object.relativePath, ...(Number.isFinite(updated) ? { lastUpdatedAtMs: updated } : {}) };
        }
        const knownAbsent: string[] = [];
        const recorded: string[] = [];
        const recordsFolder = input.sessionId ? sessionRecordsPrefix(input.testId, input.sessionId) : reelRecordsPrefix(input.testId);
        const recheckAfter = now().getTime() - (input.absentRecheckMs ?? Number.POSITIVE_INFINITY);
        for (const object of await destination.list(recordsFolder)) {
          const record = readRecord(object, input.testId);
          if (!record) continue;
          recorded.push(recordKey(record));
          if (record.notFound && Date.parse(record.checkedAt) > recheckAfter) knownAbsent.push(recordKey(record));
        }
        return { stored, knownAbsent, recorded };
      });
    },

    async findStoredQxScore(input: { dest: string; testId: string; absentRecheckMs?: number }): Promise<StoredQxScore> {
      return withFailureMapping(async () => {
        const destination = deps.openDestination(input.dest);
        const object = await destination.stat(qxScorePath(input.testId));
        const recordObject = await destination.stat(recordPath({ kind: 'qxscore', testId: input.testId }));
        const record = recordObject && readRecord(recordObject, input.testId);
        const listed = Number(object?.metadata.sessionsListed);
        const recheckAfter = now().getTime() - (input.absentRecheckMs ?? Number.POSITIVE_INFINITY);
        return {
          stored: object?.metadataComplete === true,
          ...(object?.metadataComplete && Number.isFinite(listed) && object.metadata.sessionsListed !== '' ? { sessionsListed: listed } : {}),
          knownAbsent: record?.notFound === true && Date.parse(record.checkedAt) > recheckAfter,
          recorded: record !== undefined,
        };
      });
    },

    /** Records of skipped or failed assets the workflow decided (a deadline, a failed child); removes settled ones. */
    async recordOutcomes(input: { dest: string; write?: AssetOutcome[]; remove?: AssetIdentity[] }): Promise<void> {
      return withFailureMapping(async () => {
        const destination = deps.openDestination(input.dest);
        const checkedAt = now().toISOString();
        for (const outcome of input.write ?? []) {
          if (outcome.status === 'stored') continue;
          // A failure decided without looking (a failed session workflow) must not hide what is known:
          // an object already stored, or the API's 404.
          if (outcome.status === 'failed') {
            if ((await destination.stat(assetObjectPath(outcome)))?.metadataComplete) continue;
            const previous = await destination.stat(recordPath(outcome));
            if (previous && readRecord(previous, outcome.testId)?.notFound) continue;
          }
          await writeRecord(destination, recordOf(outcome, checkedAt));
        }
        for (const identity of input.remove ?? []) await removeRecord(destination, identity);
      });
    },

    /**
     * `manifest.json` and `manifest.jsonl`, assembled from the destination: every stored object and every record.
     * Also removes this test's temp files and unfinished uploads idle for `deadWriterIdleMs`: a writer
     * that has sent nothing that long was given up by Temporal (its heartbeat timed out), so they are debris.
     */
    async assembleManifest(input: {
      dest: string;
      testId: string;
      settled?: AssetIdentity[];
      deadWriterIdleMs?: number;
    }): Promise<{ manifestUri: string; assets: number }> {
      return withFailureMapping(async () => {
        const destination = deps.openDestination(input.dest);
        // Every activity of this test has settled, so its own resumable leftovers will not be taken over.
        if (input.deadWriterIdleMs !== undefined) await destination.sweepAbandonedWrites?.(input.deadWriterIdleMs, testPrefix(input.testId));
        for (const identity of input.settled ?? []) await removeRecord(destination, identity);
        const objects = await destination.list(testPrefix(input.testId));
        const listed = new Set(objects.map((o) => o.relativePath));
        const fullFields = new Map<string, Record<string, string>>();
        // Values cut to the store's metadata limit: a record keeps them in its body, a media object beside it.
        for (const object of objects) {
          const cut = object.metadataComplete ? object.metadata.truncatedFields?.split(',') : undefined;
          if (!cut) continue;
          const { kind, sessionId, reelId, clipId } = object.metadata;
          const isRecord = object.metadata.utMediaRecord === '1';
          const beside = isRecord
            ? object.relativePath
            : fullFieldsPath({ kind: kind as AssetIdentity['kind'], testId: input.testId, sessionId, reelId, clipId });
          // The listing already says whether it is there: no lookup per object.
          const full = listed.has(beside) ? await readJsonObject<Record<string, unknown>>(destination, beside) : undefined;
          if (full) fullFields.set(object.relativePath, metadataStrings(Object.fromEntries(cut.map((k) => [k, full[k]]))));
        }
        const manifest = buildManifest(
          input.testId,
          objects,
          (record) => destination.objectUri(assetObjectPath(record)),
          now().toISOString(),
          fullFields,
          (relativePath) => destination.objectUri(relativePath),
        );
        // The page people look at, from the same assets; listed in the manifest like any object.
        const { page, model } = await writeTestPage(destination, manifest);
        manifest.assets.push(pageManifestAsset(page, manifest.testId));
        await writeArchiveIndex(destination, [archivedTestOf(model)]);
        const metadata = { kind: 'manifest', testId: input.testId };
        await destination.writeSmallObject(manifestLinesPath(input.testId), manifestLines(manifest), { contentType: 'application/x-ndjson', metadata });
        const written = await destination.writeSmallObject(manifestPath(input.testId), `${JSON.stringify(manifest, null, 2)}\n`, {
          contentType: 'application/json',
          metadata,
        });
        return { manifestUri: written.uri, assets: manifest.assets.length };
      });
    },
  });
}
