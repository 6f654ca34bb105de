import { ASSET_KIND_LIST, isAssetKind, type AssetKind, type AssetStatus } from '../contract/asset-types';
import { countLines, failedAssetsCause } from './summary-output';
import { manifestPath } from '../contract/asset-paths';
import { destinationOfFlag, readManifest } from './destination-reader';
import { EXIT } from './exit-codes';
import { printJsonRows, type Outcome } from './json-outcome';

type Counts = Record<AssetKind, Record<AssetStatus, number>>;

type ManifestRow =
  { testId: string; found: false; manifest: string } | { testId: string; found: true; manifest: string; updatedAt: string; counts: Counts; failed: number };

/** `status --dest` where no Temporal state is known: what the manifest of each test says. */
export async function statusFromManifest(testIds: string[], dest: string, json: boolean): Promise<number> {
  const destination = destinationOfFlag(dest);
  const rows: ManifestRow[] = [];
  for (const testId of testIds) {
    const manifest = await readManifest(destination, testId);
    if (!manifest) {
      rows.push({ testId, found: false, manifest: destination.objectUri(manifestPath(testId)) });
      continue;
    }
    const counts = {} as Counts;
    for (const kind of ASSET_KIND_LIST) counts[kind] = { stored: 0, skipped: 0, failed: 0 };
    // Withdrawn assets are counted by `plan`, not here; the page is not an asset.
    for (const a of manifest.assets) if (isAssetKind(a.kind) && a.status !== 'withdrawn') counts[a.kind][a.status] += 1;
    const failed = ASSET_KIND_LIST.reduce((n, k) => n + counts[k].failed, 0);
    rows.push({ testId, found: true, manifest: destination.objectUri(manifestPath(testId)), updatedAt: manifest.updatedAt, counts, failed });
  }
  if (json) return printJsonRows(rows.map((r) => ({ ...outcomeOf(r), body: { ...r } })));
  for (const r of rows) {
    if (!r.found) {
      process.stdout.write(`test ${r.testId}: no manifest at ${r.manifest}\n`);
      continue;
    }
    process.stdout.write(`test ${r.testId}: manifest ${r.manifest}, updated ${r.updatedAt} (no Temporal state here: from the manifest)\n`);
    for (const line of countLines(r.counts)) process.stdout.write(`${line}\n`);
  }
  return Math.max(EXIT.ok, ...rows.map((r) => outcomeOf(r).code));
}

function outcomeOf(r: ManifestRow): Outcome {
  if (!r.found) return { code: EXIT.failed, error: `no manifest at ${r.manifest}: nothing was ingested there yet` };
  return r.failed ? { code: EXIT.failed, error: failedAssetsCause(r.failed) } : { code: EXIT.ok };
}
