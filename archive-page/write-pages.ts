import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectAlreadyExistsError, type Destination, type StoredObject } from '../storage';
import { ARCHIVE_INDEX_PATH, testPagePath } from '../contract/asset-paths';
import type { Manifest, ManifestAsset } from '../contract/manifest-types';
import { participantDetails, qxScoreSummary } from './context-summaries';
import { buildPageModel, type PageModel, type PageModelOptions, type PageSession } from './page-model';
import { PAGE_DATA_ID, renderTestPage } from './render-test-page';
import { ARCHIVE_INDEX_DATA_ID, renderArchiveIndex, type ArchivedTest } from './render-archive-index';

const PAGE_CONTENT_TYPE = 'text/html; charset=utf-8';
/** Writers of the archive's index that raced (several tests finishing at once) try again this often. */
const INDEX_WRITE_ATTEMPTS = 5;

async function readText(destination: Destination, relativePath: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of destination.readObject(relativePath)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The JSON data block of a page this module wrote, or undefined (none, or not ours). */
export function pageDataOf(html: string, id: string): unknown {
  const start = html.indexOf(`<script type="application/json" id="${id}">`);
  if (start < 0) return undefined;
  const from = html.indexOf('>', start) + 1;
  const end = html.indexOf('</script>', from);
  try {
    return JSON.parse(html.slice(from, end));
  } catch {
    return undefined;
  }
}

interface PreviousPage {
  sessions: Map<string, Pick<PageSession, 'transcript' | 'details'>>;
}

async function previousPage(destination: Destination, existing: StoredObject | undefined): Promise<PreviousPage> {
  const sessions = new Map<string, Pick<PageSession, 'transcript' | 'details'>>();
  if (!existing) return { sessions };
  const data = pageDataOf(await readText(destination, existing.relativePath), PAGE_DATA_ID) as { sessions?: PageSession[] } | undefined;
  for (const s of Array.isArray(data?.sessions) ? data.sessions : []) if (typeof s?.sessionId === 'string') sessions.set(s.sessionId, s);
  return { sessions };
}

/** Writes `body` unless the object already holds exactly it; `replace` guards against a concurrent writer. */
async function writeIfChanged(
  destination: Destination,
  path: string,
  body: Buffer,
  metadata: Record<string, string | number>,
  existing: StoredObject | undefined,
) {
  const md5 = createHash('md5').update(body).digest('base64');
  const sameMetadata = Object.entries(metadata).every(([k, v]) => existing?.metadata[k] === String(v));
  if (existing?.metadataComplete && existing.md5 === md5 && sameMetadata) return { object: existing, written: false };
  const object = await destination.writeObject(path, Readable.from([body]), {
    contentType: PAGE_CONTENT_TYPE,
    metadata,
    replace: existing,
    expectedBytes: body.length,
  });
  return { object, written: true };
}

/**
 * Renders `test_id=<id>/index.html` from the manifest and writes it only when its bytes changed.
 * Transcripts (up to the page's budget) and session details are read from the destination, except
 * those whose md5 matches the copy the current page already holds: a rerun reads what changed, not
 * the whole test.
 */
export async function writeTestPage(
  destination: Destination,
  manifest: Manifest,
  options: PageModelOptions = {},
): Promise<{ page: StoredObject; model: PageModel; written: boolean }> {
  const path = testPagePath(manifest.testId);
  const existing = await destination.stat(path);
  const previous = await previousPage(destination, existing?.metadataComplete ? existing : undefined).catch(() => ({ sessions: new Map() }) as PreviousPage);
  const relativeOf = (asset: ManifestAsset) => asset.storagePath.slice(destination.uri.replace(/\/+$/, '').length + 1);
  const cached = (asset: ManifestAsset) => previous.sessions.get(String(asset.sessionId).toLowerCase());
  const model = await buildPageModel(
    manifest,
    {
      async transcript(asset) {
        const copy = cached(asset)?.transcript;
        return copy?.vtt !== undefined && copy.md5 === asset.md5 ? copy.vtt : readText(destination, relativeOf(asset));
      },
      async details(asset) {
        const copy = cached(asset)?.details;
        return copy && copy.md5 === asset.md5 ? copy.participant : participantDetails(JSON.parse(await readText(destination, relativeOf(asset))));
      },
      async qxScores(asset) {
        return qxScoreSummary(JSON.parse(await readText(destination, relativeOf(asset))));
      },
    },
    options,
  );
  const body = Buffer.from(renderTestPage(model), 'utf8');
  const metadata = { kind: 'page', testId: model.testId, sessions: model.sessions.length, reels: model.reels.length, archivedAt: model.archivedAt ?? '' };
  try {
    const { object, written } = await writeIfChanged(destination, path, body, metadata, existing);
    return { page: object, model, written };
  } catch (err) {
    // Another writer of the same test's page (a concurrent assembly) got there first: its page is as new.
    if (!(err instanceof ObjectAlreadyExistsError)) throw err;
    const current = await destination.stat(path);
    if (!current) throw err;
    return { page: current, model, written: false };
  }
}

/** The manifest's entry for the page: listed like any stored object, so `verify` checks it too. */
export function pageManifestAsset(page: StoredObject, testId: string): ManifestAsset {
  return {
    kind: 'page',
    testId,
    status: 'stored',
    storagePath: page.uri,
    bytes: page.bytes,
    md5: page.md5 || null,
    crc32c: page.crc32c || null,
    downloadedAt: page.metadata.writtenAt ?? null,
  };
}

export function archivedTestOf(model: PageModel): ArchivedTest {
  return { testId: model.testId, sessions: model.sessions.length, reels: model.reels.length, archivedAt: model.archivedAt };
}

/**
 * The destination's `index.html`, listing its tests. `tests` replace their rows (others are kept
 * from the current index); with `replaceAll`, the index lists exactly `tests`. Written with a
 * precondition and tried again when several runs finish at once, so none loses another's row.
 */
export async function writeArchiveIndex(destination: Destination, tests: ArchivedTest[], replaceAll = false): Promise<StoredObject> {
  for (let attempt = 1; ; attempt++) {
    const existing = await destination.stat(ARCHIVE_INDEX_PATH);
    const rows = new Map<string, ArchivedTest>();
    if (existing && !replaceAll) {
      const data = pageDataOf(await readText(destination, ARCHIVE_INDEX_PATH), ARCHIVE_INDEX_DATA_ID) as { tests?: ArchivedTest[] } | undefined;
      for (const t of Array.isArray(data?.tests) ? data.tests : []) if (typeof t?.testId === 'string') rows.set(t.testId, t);
    }
    for (const t of tests) rows.set(t.testId, t);
    const body = Buffer.from(renderArchiveIndex([...rows.values()]), 'utf8');
    try {
      return (await writeIfChanged(destination, ARCHIVE_INDEX_PATH, body, { kind: 'archive-index' }, existing)).object;
    } catch (err) {
      if (!(err instanceof ObjectAlreadyExistsError) || attempt >= INDEX_WRITE_ATTEMPTS) throw err;
    }
  }
}
