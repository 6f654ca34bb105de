import { sweepStaleTempFiles } from '../storage';
import { assetKey, buildManifest } from './manifest';
import type { ActivityDeps } from './deps';
import { withFailureMapping } from './failures';
import { clipPath, manifestPath, reelPath, reelsPrefix, sessionPrefix, testPrefix, transcriptPath, videoPath } from '../workflows/asset-paths';
import type { AssetKind, AssetOutcome } from '../workflows/asset-types';

/** A stored object as the workflow needs to see it: enough to decide, nothing more. */
export interface StoredAssetInfo {
  relativePath: string;
  lastUpdatedAtMs?: number;
}

export interface StoredAssets {
  /** Complete objects (media + metadata) by relative path. */
  stored: Record<string, StoredAssetInfo>;
  /** Assets the previous manifest lists as skipped because the API has no such asset (404). */
  absentBefore: string[];
}

/** Activities that touch only the destination; they run on the main task queue, outside the API budget. */
export function createStorageActivities(deps: ActivityDeps) {
  return {
    async findStoredAssets(input: { dest: string; testId: string; sessionId?: string }): Promise<StoredAssets> {
      return withFailureMapping(async () => {
        const destination = deps.openDestination(input.dest);
        // Temp files of writers that crashed a day ago or more are debris, never a write in progress.
        if (!input.sessionId && destination.spec.scheme === 'file') await sweepStaleTempFiles(destination.spec.root, 24 * 3600 * 1000);
        const prefix = input.sessionId ? sessionPrefix(input.testId, input.sessionId) : reelsPrefix(input.testId);
        const stored: Record<string, StoredAssetInfo> = {};
        for (const object of await destination.list(prefix)) {
          if (!object.metadataComplete) continue;
          const updated = Number(object.metadata.lastUpdatedAtMs);
          stored[object.relativePath] = { relativePath: object.relativePath, ...(Number.isFinite(updated) ? { lastUpdatedAtMs: updated } : {}) };
        }
        const absentBefore: string[] = [];
        if (!input.sessionId) {
          const previous = await readManifest(destination, input.testId);
          for (const asset of previous?.assets ?? []) {
            if (asset.status === 'skipped' && typeof asset.reason === 'string' && asset.reason.includes('(404)')) absentBefore.push(assetKey(asset));
          }
        }
        return { stored, absentBefore };
      });
    },

    async writeManifest(input: { dest: string; testId: string; outcomes: AssetOutcome[] }): Promise<{ manifestUri: string; assets: number }> {
      return withFailureMapping(async () => {
        const destination = deps.openDestination(input.dest);
        const objects = await destination.list(testPrefix(input.testId));
        const others = input.outcomes
          .filter((o) => o.status !== 'stored')
          .map((o) => ({ ...o, storagePath: destination.objectUri(objectPathOf(o)) }));
        const manifest = buildManifest(input.testId, objects, others, (deps.now?.() ?? new Date()).toISOString());
        const written = await destination.writeSmallObject(manifestPath(input.testId), `${JSON.stringify(manifest, null, 2)}\n`, {
          contentType: 'application/json',
          metadata: { kind: 'manifest', testId: input.testId },
        });
        return { manifestUri: written.uri, assets: manifest.assets.length };
      });
    },
  };
}

/** Where an asset is (or would be) stored; a record about a whole list (no asset id) points at its folder. */
export function objectPathOf(a: { kind: AssetKind; testId: string; sessionId?: string; reelId?: string; clipId?: string }): string {
  if (a.kind === 'reel' && !a.reelId) return reelsPrefix(a.testId);
  if (!a.sessionId && a.kind !== 'reel') return testPrefix(a.testId);
  if (a.kind === 'clip' && !a.clipId) return `${sessionPrefix(a.testId, a.sessionId!)}/clips`;
  switch (a.kind) {
    case 'reel':
      return reelPath(a.testId, a.reelId!);
    case 'clip':
      return clipPath(a.testId, a.sessionId!, a.clipId!);
    case 'video':
      return videoPath(a.testId, a.sessionId!);
    case 'transcript':
      return transcriptPath(a.testId, a.sessionId!);
  }
}

async function readManifest(destination: ReturnType<ActivityDeps['openDestination']>, testId: string): Promise<{ assets: Array<Record<string, unknown> & { kind: AssetKind }> } | undefined> {
  if (!(await destination.stat(manifestPath(testId)))) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of destination.readObject(manifestPath(testId))) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}
