import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDestination, parseDestination, type Destination } from '../storage';
import { clipPath, detailsPath, testPagePath, transcriptPath, videoPath } from '../contract/asset-paths';
import type { Manifest, ManifestAsset } from '../contract/manifest-types';
import { writeTestPage } from '../archive-page';
import { SAMPLE_VIDEO } from '../simulator/media-bytes';
import { findChromium, launchChromium } from '../test/support/browser';
import type { PageWindow } from '../test/support/page-dom';
import { serveFolder } from '../test/support/static-folder-server';
import type { BenchRow } from './table';

/**
 * The archive page of a test of 1,000 sessions (each with a video, a transcript of a 25-minute
 * think-aloud, details and two clips; real files, the simulator's small sample video) written to a
 * folder, generated, then opened in headless Chromium: from the folder, how long until it has
 * loaded (target: under 2 s) and the first search over the transcripts it holds; served over HTTP,
 * the first search over every transcript, the linked ones fetched.
 */
const SESSIONS = 1000;
/** A cue every 5 s of a 25-minute session: about 30 KB of WebVTT, as long sessions have. */
const CUES_PER_TRANSCRIPT = 300;
const TEST_ID = '5e55e55e-0000-4000-8000-000000000000';
const LINES = ['I am looking for the search bar.', 'The checkout asks for a lot of information.', 'That was easier than I thought.', 'Where is the price?'];

const uuidOf = (kind: number, i: number) => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const clock = (ms: number) => new Date(ms).toISOString().slice(11, 23);

async function syntheticArchive(destination: Destination): Promise<Manifest> {
  const assets: ManifestAsset[] = [];
  const downloadedAt = '2026-01-01T00:00:00.000Z';
  const stored = (o: { uri: string; bytes: number; md5: string; crc32c: string }) => ({
    status: 'stored' as const,
    storagePath: o.uri,
    bytes: o.bytes,
    md5: o.md5,
    crc32c: o.crc32c,
    downloadedAt,
  });
  for (let i = 0; i < SESSIONS; i++) {
    const sessionId = uuidOf(1, i);
    const common = { testId: TEST_ID, sessionId, startTime: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() };
    const cues = Array.from(
      { length: CUES_PER_TRANSCRIPT },
      (_, c) => `${c + 1}\n${clock(c * 5000 + 1000)} --> ${clock(c * 5000 + 4500)}\n<v Participant>${LINES[(i + c) % LINES.length]} (${i}.${c})\n`,
    );
    const vtt = `WEBVTT\n\n${cues.join('\n')}`;
    const details = {
      sessionId,
      sessionParticipant: { participantId: `p-${i}`, demographicsInfo: [{ label: 'Country', value: 'Canada' }] },
      tasks: [{ text: 'What would you change first?', type: 'WRITTEN', response: { skipped: false, answer: { written: { text: 'The filters.' } } } }],
    };
    assets.push({
      kind: 'video',
      ...common,
      ...stored(await destination.writeSmallObject(videoPath(TEST_ID, sessionId), SAMPLE_VIDEO, { contentType: 'video/mp4' })),
    });
    assets.push({
      kind: 'transcript',
      ...common,
      ...stored(await destination.writeSmallObject(transcriptPath(TEST_ID, sessionId), vtt, { contentType: 'text/vtt' })),
    });
    assets.push({
      kind: 'details',
      ...common,
      ...stored(await destination.writeSmallObject(detailsPath(TEST_ID, sessionId), JSON.stringify(details), { contentType: 'application/json' })),
    });
    for (let c = 0; c < 2; c++) {
      const clipId = uuidOf(2 + c, i);
      const clip = await destination.writeSmallObject(clipPath(TEST_ID, sessionId, clipId), SAMPLE_VIDEO, { contentType: 'video/mp4' });
      assets.push({ kind: 'clip', ...common, clipId, name: `Clip ${c} of ${i}`, timeStartMs: c * 20_000, timeEndMs: c * 20_000 + 8000, ...stored(clip) });
    }
  }
  return { testId: TEST_ID, updatedAt: downloadedAt, assets };
}

export async function benchArchivePage(scratch: string): Promise<BenchRow[]> {
  const chromium = findChromium();
  if ('missing' in chromium) {
    console.log(`  archive page rows skipped: ${chromium.missing}`);
    return [];
  }
  const root = path.join(scratch, 'archive-page');
  fs.mkdirSync(root, { recursive: true });
  const destination = openDestination(parseDestination(root));
  const manifest = await syntheticArchive(destination);
  const generating = Date.now();
  const { page, model } = await writeTestPage(destination, manifest);
  const held = SESSIONS - model.transcriptsLinkedOnly;
  const generateSeconds = (Date.now() - generating) / 1000;
  const browser = await launchChromium(chromium.path);
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (err) => errors.push(String(err)));
    const url = pathToFileURL(path.join(root, testPagePath(TEST_ID))).href;
    // Once to warm the browser's own start-up out of the figure, then measured.
    await tab.goto('about:blank');
    const began = Date.now();
    await tab.goto(url, { waitUntil: 'load' });
    const loadSeconds = (Date.now() - began) / 1000;
    const rows = await tab.$$eval('.session-row', (els) => els.length);
    const players = await tab.$$eval('.player video', (els) => els.length);
    const searching = Date.now();
    await tab.type('#search-input', 'checkout');
    await tab.waitForFunction(() => (globalThis as unknown as PageWindow).document.querySelectorAll('#search-results li').length > 0, { timeout: 10_000 });
    const searchSeconds = (Date.now() - searching) / 1000;
    if (errors.length || rows !== SESSIONS) throw new Error(`the page of ${SESSIONS} sessions is broken: ${rows} rows, errors ${errors.join('; ')}`);
    // Served as a static website serves it: the first search fetches the linked transcripts too.
    const server = await serveFolder(root);
    let httpSearchSeconds: number;
    try {
      await tab.goto(`${server.url}/${testPagePath(TEST_ID)}`, { waitUntil: 'load' });
      const began = Date.now();
      await tab.type('#search-input', 'checkout');
      await tab.waitForFunction(
        () => {
          const { document } = globalThis as unknown as PageWindow;
          const status = document.querySelector('#search-status')?.textContent ?? '';
          return /\d+ lines?/.test(status) && !/loading/.test(status);
        },
        { timeout: 120_000, polling: 50 },
      );
      httpSearchSeconds = (Date.now() - began) / 1000;
      // A fast figure must not come from transcripts that failed to load.
      const status = await tab.$eval('#search-status', (e) => e.textContent ?? '');
      const fetched = server.requested.filter((p) => p.endsWith('/transcript.vtt')).length;
      if (/could not be loaded/.test(status) || fetched < model.transcriptsLinkedOnly)
        throw new Error(`the page over HTTP fetched ${fetched} of ${model.transcriptsLinkedOnly} linked transcripts: ${status}`);
    } finally {
      await server.close();
    }
    if (errors.length) throw new Error(`the page of ${SESSIONS} sessions over HTTP: errors ${errors.join('; ')}`);
    return [
      {
        id: 'page.load_1000_sessions_s',
        label: 'archive page of 1,000 sessions: load in Chromium (s)',
        value: loadSeconds,
        target: { op: '<=', value: 2 },
        detail: `${(page.bytes / 1024 / 1024).toFixed(1)} MiB page from a folder holding ${held} of ${SESSIONS} transcripts (~30 KB each, the rest linked), ${rows} rows, ${players} players mounted (lazy)`,
      },
      {
        id: 'page.search_held_1000_sessions_s',
        label: 'archive page of 1,000 sessions: first search (s)',
        value: searchSeconds,
        detail: `typing a word and the first hits shown, over the ${(held * CUES_PER_TRANSCRIPT).toLocaleString('en-US')} lines the page holds (incl. the 120 ms typing pause)`,
      },
      {
        id: 'page.search_http_1000_sessions_s',
        label: 'archive page of 1,000 sessions over HTTP: first search, every transcript (s)',
        value: httpSearchSeconds,
        detail: `the ${model.transcriptsLinkedOnly} linked transcripts fetched from beside the page, 4 at a time, then searched with the rest`,
      },
      {
        id: 'page.generate_1000_sessions_s',
        label: 'archive page of 1,000 sessions: generate and write (s)',
        value: generateSeconds,
        detail: 'reads every details object and the transcripts the page holds, once',
      },
    ];
  } finally {
    await browser.close();
  }
}
