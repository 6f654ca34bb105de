import { isUuid } from '../contract/ids';
import { manifestLinesPath, manifestPath } from '../contract/asset-paths';
import { manifestLines } from '../activities/manifest-lines';
import { archivedTestOf, pageManifestAsset, writeArchiveIndex, writeTestPage, type ArchivedTest } from '../archive-page';
import { CliError, EXIT } from './exit-codes';
import { destinationFlagError, destinationOfFlag, readManifest } from './destination-reader';
import { printJsonOutcome } from './json-outcome';

export interface IndexFlags {
  test?: string[];
  dest?: string;
  json?: boolean;
}

const TEST_MANIFEST = /^test_id=([0-9a-f-]{36})\/manifest\.json$/;

/**
 * `ut-media index`: writes the pages of an archive made before runs wrote them (or refreshes them):
 * each test's `index.html` from its manifest, the page's entry in that manifest, and the
 * destination's `index.html`. No API request; each page is rewritten only when it changed.
 */
export async function runIndex(flags: IndexFlags): Promise<number> {
  for (const id of flags.test ?? []) if (!isUuid(id)) throw new CliError(`--test: ${id} is not a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6`, EXIT.usage);
  const destination = destinationOfFlag(flags.dest);
  try {
    await destination.checkAvailable?.();
  } catch (err) {
    throw destinationFlagError(err);
  }
  // Without --test: every test with a manifest under the destination (one listing), and the index lists exactly those.
  const testIds = flags.test?.length
    ? flags.test.map((id) => id.toLowerCase())
    : (await destination.list('')).flatMap((o) => TEST_MANIFEST.exec(o.relativePath)?.[1] ?? []);
  const pages: Array<{ testId: string; page?: string; written?: boolean; error?: string }> = [];
  const listed: ArchivedTest[] = [];
  for (const testId of testIds) {
    const manifest = await readManifest(destination, testId);
    if (!manifest) {
      pages.push({ testId, error: `no manifest at ${destination.objectUri(manifestPath(testId))}: nothing was ingested there yet` });
      continue;
    }
    const assets = manifest.assets.filter((a) => a.kind !== 'page');
    const { page, model, written } = await writeTestPage(destination, { ...manifest, assets });
    const entry = pageManifestAsset(page, manifest.testId);
    const before = manifest.assets.find((a) => a.kind === 'page');
    if (before?.md5 !== entry.md5 || before?.bytes !== entry.bytes) {
      const updated = { ...manifest, assets: [...assets, entry] };
      const metadata = { kind: 'manifest', testId: manifest.testId };
      await destination.writeSmallObject(manifestLinesPath(testId), manifestLines(updated), { contentType: 'application/x-ndjson', metadata });
      await destination.writeSmallObject(manifestPath(testId), `${JSON.stringify(updated, null, 2)}\n`, { contentType: 'application/json', metadata });
    }
    listed.push(archivedTestOf(model));
    pages.push({ testId, page: page.uri, written });
  }
  const index = await writeArchiveIndex(destination, listed, !flags.test?.length);
  const missing = pages.filter((p) => p.error);
  const code = missing.length ? EXIT.failed : EXIT.ok;
  if (flags.json) {
    printJsonOutcome(
      { code, error: missing.length ? `${missing.length} of ${pages.length} tests have no manifest (each row says so)` : undefined },
      { index: index.uri, pages },
    );
  } else {
    for (const p of pages) process.stdout.write(p.error ? `test ${p.testId}: ${p.error}\n` : `test ${p.testId}: ${p.page}${p.written ? '' : ' (unchanged)'}\n`);
    process.stdout.write(`archive index: ${index.uri}\n`);
  }
  return code;
}
