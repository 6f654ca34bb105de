import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { openDestination, parseDestination, type Destination } from '../../storage';
import { demoScenario } from '../../simulator/demo-scenario';
import { ARCHIVE_INDEX_PATH, manifestPath, testPagePath, transcriptPath } from '../../contract/asset-paths';
import type { Manifest } from '../../contract/manifest-types';
import { writeTestPage } from '../../archive-page';
import { createPipelineFixture, type PipelineFixture } from '../support/pipeline-fixture';
import { findChromium, launchChromium } from '../support/browser';
import { hostileManifest, HOSTILE_TEXTS } from '../support/hostile-manifest';
import { serveFolder } from '../support/static-folder-server';
import type { PageVideo, PageWindow } from '../support/page-dom';

/**
 * The demo's test result, ingested with short delays, and its page opened from the folder in a real
 * browser (Debian's Chromium, headless): what a researcher sees after `npm run demo`.
 */
const chromium = findChromium();
const chromiumPath = 'path' in chromium ? chromium.path : undefined;
// Printed, not hidden: CI installs Chromium with apt (scripts/install-tools.js); this is only where it cannot.
if ('missing' in chromium) console.warn(`archive-page-browser: SKIPPED, ${chromium.missing}`);
const describeWithBrowser = chromiumPath ? describe : describe.skip;

/** Set UT_SCREENSHOT=1 to refresh the README's picture of the page. */
const SCREENSHOT = path.resolve(__dirname, '../../docs/images/archive-page.png');

/**
 * The README's picture, on a tab of its own: the page after a search, from its top down to the first
 * session row with a video, captions and clips, that video paused on its first caption. The window
 * is made as tall as that, drawn at 0.8 scale to keep the PNG small.
 */
async function screenshotWithASessionRow(browser: Browser, url: string, word: string, sessionsWithCaptions: string[]) {
  const tab = await browser.newPage();
  await tab.setViewport({ width: 1100, height: 900 });
  await tab.goto(url, { waitUntil: 'load' });
  await tab.type('#search-input', word);
  await tab.waitForFunction(() => (globalThis as unknown as PageWindow).document.querySelectorAll('#search-results li').length > 0, { timeout: 5000 });
  const bottom = await tab.evaluate(async (ids) => {
    const window = globalThis as unknown as PageWindow;
    const { document } = window;
    const row = Array.from(document.querySelectorAll('.session-row')).find(
      (r) => ids.includes(r.getAttribute('data-session') ?? '') && r.querySelector('.player[data-session]') && r.querySelector('button[data-clip]'),
    );
    if (!row) throw new Error('no session row with a video, captions and clips');
    row.scrollIntoView({ block: 'center' });
    const deadline = Date.now() + 10_000;
    const until = async (done: () => boolean) => {
      while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    };
    await until(() => !!row.querySelector('video'));
    const video = row.querySelector<PageVideo>('video')!;
    await until(() => (video.textTracks[0]?.cues?.length ?? 0) > 0);
    video.currentTime = video.textTracks[0].cues![0].startTime + 0.5;
    await until(() => !video.seeking && video.readyState >= 2);
    video.pause();
    window.scrollTo(0, 0);
    return row.getBoundingClientRect().bottom;
  }, sessionsWithCaptions);
  await tab.setViewport({ width: 1100, height: Math.ceil(bottom) + 16, deviceScaleFactor: 0.8 });
  // Redrawn at the new size, the players show a loading spinner until they have a frame again.
  await tab.waitForFunction(
    () => Array.from((globalThis as unknown as PageWindow).document.querySelectorAll<PageVideo>('video')).every((v) => v.readyState >= 2 && !v.seeking),
    { timeout: 10_000 },
  );
  await new Promise((r) => setTimeout(r, 500));
  fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await tab.screenshot({ path: SCREENSHOT, type: 'png' });
  await tab.close();
}

describeWithBrowser('the archive page, opened from the folder in Chromium', () => {
  let fx: PipelineFixture;
  let root: string;
  let destination: Destination;
  let browser: Browser;
  let page: Page;
  let testId: string;
  const pageErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    fx = await createPipelineFixture({ ...demoScenario(), rateLimit: { limit: 6000, windowMs: 60_000 }, generation: { generatingMs: 50 } });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-page-'));
    destination = openDestination(parseDestination(root));
    await fx.startWorkers();
    testId = fx.sim.scenario.tests[0].testId;
    const summary = await fx.ingest({ testId, dest: root });
    expect(summary.failed).toBe(0);
    browser = await launchChromium(chromiumPath!);
    page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 900 });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(path.join(root, testPagePath(testId))).href, { waitUntil: 'load' });
  });
  afterAll(async () => {
    await browser?.close();
    await fx?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  const sessions = () => fx.sim.scenario.tests[0].sessions;
  const readText = (relativePath: string) => fs.readFileSync(path.join(root, relativePath), 'utf8');

  test('a row per session, no page error, nothing requested outside the archive', async () => {
    const rows = await page.$$eval('.session-row', (els) => els.map((e) => e.getAttribute('data-session')));
    expect(rows.sort()).toEqual(
      sessions()
        .map((s) => s.sessionId.toLowerCase())
        .sort(),
    );
    expect(await page.$$eval('.reel video', (els) => els.length)).toBe(fx.sim.scenario.tests[0].reels.length);
    expect(pageErrors).toEqual([]);
    const inArchive = (url: string) => url.startsWith(pathToFileURL(root).href + '/') || url.startsWith('blob:') || url.startsWith('data:');
    expect(requests.filter((url) => !inArchive(url))).toEqual([]);
    // The page is in the manifest and the destination's index lists the test.
    const manifest = JSON.parse(readText(manifestPath(testId))) as Manifest;
    const entry = manifest.assets.find((a) => a.kind === 'page');
    expect(entry).toMatchObject({
      status: 'stored',
      bytes: fs.statSync(path.join(root, testPagePath(testId))).size,
      storagePath: destination.objectUri(testPagePath(testId)),
    });
    expect(readText(ARCHIVE_INDEX_PATH)).toContain(`href="test_id=${testId}/index.html"`);
  });

  test('every session video plays with its transcript as captions', async () => {
    const withVideo = sessions().filter((s) => s.productType !== 'SURVEY');
    expect(withVideo.length).toBeGreaterThan(3);
    for (const session of withVideo) {
      const id = session.sessionId.toLowerCase();
      const played = await page.evaluate(async (sessionId) => {
        const { document } = globalThis as unknown as PageWindow;
        const holder = document.querySelector(`.player[data-session="${sessionId}"]`)!;
        holder.scrollIntoView({ block: 'center' });
        const deadline = Date.now() + 10_000;
        while (!holder.querySelector('video') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        const video = holder.querySelector<PageVideo>('video');
        if (!video) return { mounted: false };
        video.muted = true;
        await video.play();
        video.pause();
        const track = video.textTracks[0];
        while (track && (!track.cues || track.cues.length === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        return { mounted: true, readyState: video.readyState, duration: video.duration, kind: track?.kind, mode: track?.mode, cues: track?.cues?.length ?? 0 };
      }, id);
      // Interaction (non-think-out-loud) sessions have a video and no transcript: no captions then.
      const transcript = path.join(root, transcriptPath(testId, id));
      const captions = fs.existsSync(transcript)
        ? { kind: 'captions', mode: 'showing', cues: fs.readFileSync(transcript, 'utf8').split('-->').length - 1 }
        : { kind: undefined, mode: undefined, cues: 0 };
      if (session.productType !== 'NON_THINK_OUT_LOUD') expect(captions.cues).toBeGreaterThan(0);
      expect({ id, ...played }).toEqual({ id, mounted: true, readyState: expect.any(Number), duration: expect.any(Number), ...captions });
      expect(played.readyState).toBeGreaterThanOrEqual(2);
      expect(played.duration).toBeGreaterThan(0);
    }
    expect(pageErrors).toEqual([]);
  });

  test('clips and highlight reels play', async () => {
    const clipButtons = await page.$$('button[data-clip]');
    expect(clipButtons.length).toBe(sessions().reduce((n, s) => n + s.clips.length, 0));
    expect(clipButtons.length).toBeGreaterThan(0);
    for (const button of clipButtons) {
      await button.evaluate((b) => b.scrollIntoView({ block: 'center' }));
      await button.click();
    }
    const ready = async (selector: string) =>
      page.$$eval(selector, async (videos) =>
        Promise.all(
          (videos as unknown as PageVideo[]).map(async (v) => {
            v.muted = true;
            await v.play();
            v.pause();
            return { readyState: v.readyState, duration: v.duration };
          }),
        ),
      );
    for (const state of [...(await ready('.clips video')), ...(await ready('.reel video'))]) {
      expect(state.readyState).toBeGreaterThanOrEqual(2);
      expect(state.duration).toBeGreaterThan(0);
    }
    expect(await page.$$eval('.clips video', (els) => els.length)).toBe(clipButtons.length);
  });

  test('a search for a word of a transcript finds it and plays that session from the line', async () => {
    // A cue late in some session's transcript: seeking there is visible (not the video's start).
    const session = sessions().find((s) => s.productType === 'LIVE_CONVERSATION' || s.productType === 'THINK_OUT_LOUD')!;
    const id = session.sessionId.toLowerCase();
    const blocks = readText(transcriptPath(testId, id))
      .split('\n\n')
      .filter((b) => b.includes('-->'));
    const cue = blocks[blocks.length - 1].split('\n');
    const [h, m, s] = cue[1].split(' --> ')[0].split(':').map(Number);
    const startMs = Math.round((h * 3600 + m * 60 + s) * 1000);
    const line = cue[2].replace(/<[^>]*>/g, '');
    const word = line.split(/\W+/).sort((a, b) => b.length - a.length)[0];
    await page.$eval('#search-input', (input) => input.scrollIntoView());
    await page.type('#search-input', word);
    await page.waitForFunction(() => (globalThis as unknown as PageWindow).document.querySelectorAll('#search-results li').length > 0, { timeout: 5000 });
    const hit = await page.$(`#search-results button[data-session="${id}"][data-start="${startMs}"]`);
    expect(hit).not.toBeNull();
    const shown = await hit!.evaluate((b) => b.closest('li')!.textContent);
    expect(shown).toContain(line);
    expect(shown).toContain(`session ${id.slice(0, 8)}`);
    await hit!.click();
    const position = await page.evaluate(async (sessionId) => {
      const { document } = globalThis as unknown as PageWindow;
      const video = document.querySelector<PageVideo>(`video[data-session="${sessionId}"]`)!;
      const deadline = Date.now() + 10_000;
      while ((video.readyState < 2 || video.seeking) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      video.pause();
      return video.currentTime;
    }, id);
    expect(position).toBeGreaterThanOrEqual(startMs / 1000 - 0.01);
    expect(position).toBeLessThan(startMs / 1000 + 2);
    if (process.env.UT_SCREENSHOT === '1') {
      const withCaptions = sessions()
        .map((s) => s.sessionId.toLowerCase())
        .filter((sessionId) => fs.existsSync(path.join(root, transcriptPath(testId, sessionId))));
      await screenshotWithASessionRow(browser, page.url(), word, withCaptions);
      expect(fs.statSync(SCREENSHOT).size).toBeLessThan(200 * 1024);
    }
    expect(pageErrors).toEqual([]);
  });

  test('the page holds no token or signed link, and a rerun with nothing new leaves it as it is', async () => {
    const html = readText(testPagePath(testId));
    for (const secret of [/X-Amz-Signature/i, /X-Amz-Credential/i, /eyJ[\w-]{8,}\.[\w-]{8,}\./, /Bearer\s+\S{10,}/]) expect(html).not.toMatch(secret);
    expect(html).not.toContain(fx.sim.scenario.clients[0].clientSecret);
    // Links the API handed out (the simulator's host) never reach the page.
    expect(html).not.toContain(new URL(fx.sim.baseUrl).host);
    const before = await destination.stat(testPagePath(testId));
    const indexBefore = await destination.stat(ARCHIVE_INDEX_PATH);
    await fx.ingest({ testId, dest: root });
    const after = await destination.stat(testPagePath(testId));
    expect(after!.generation).toBe(before!.generation);
    expect((await destination.stat(ARCHIVE_INDEX_PATH))!.generation).toBe(indexBefore!.generation);
    const manifest = JSON.parse(readText(manifestPath(testId))) as Manifest;
    expect(manifest.assets.filter((a) => a.kind === 'page')).toEqual([expect.objectContaining({ md5: before!.md5, bytes: before!.bytes })]);
  });

  test('`ut-media index` writes the pages of an archive made without them, and lists them in the manifest', async () => {
    const pagePath = path.join(root, testPagePath(testId));
    const original = fs.readFileSync(pagePath, 'utf8');
    // An archive as runs left it before they wrote pages: no page, no index, no page in the manifest.
    await destination.remove(testPagePath(testId));
    await destination.remove(ARCHIVE_INDEX_PATH);
    const manifest = JSON.parse(readText(manifestPath(testId))) as Manifest;
    manifest.assets = manifest.assets.filter((a) => a.kind !== 'page');
    fs.writeFileSync(path.join(root, manifestPath(testId)), JSON.stringify(manifest));
    const run = spawnSync(process.execPath, [path.resolve(__dirname, '../../bin/ut-media.js'), 'index', '--dest', root, '--json'], { encoding: 'utf8' });
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, exitCode: 0, pages: [{ testId, written: true }] });
    expect(fs.readFileSync(pagePath, 'utf8')).toBe(original);
    expect(readText(ARCHIVE_INDEX_PATH)).toContain(`href="test_id=${testId}/index.html"`);
    const listed = (JSON.parse(readText(manifestPath(testId))) as Manifest).assets.filter((a) => a.kind === 'page');
    expect(listed).toEqual([expect.objectContaining({ storagePath: destination.objectUri(testPagePath(testId)), bytes: Buffer.byteLength(original) })]);
    expect(readText('test_id=' + testId + '/manifest.jsonl')).toContain('"kind":"page"');
  });

  test('names and text from the API with markup, quotes and ../ are shown as text', async () => {
    const hostileRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-hostile-'));
    try {
      const hostile = openDestination(parseDestination(hostileRoot));
      const manifest = await hostileManifest(hostile);
      await writeTestPage(hostile, manifest);
      const hostilePage = await browser.newPage();
      const errors: string[] = [];
      hostilePage.on('pageerror', (err) => errors.push(String(err)));
      hostilePage.on('dialog', (dialog) => {
        errors.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
      await hostilePage.goto(pathToFileURL(path.join(hostileRoot, testPagePath(manifest.testId))).href, { waitUntil: 'load' });
      await hostilePage.type('#search-input', 'img');
      await hostilePage.waitForFunction(() => (globalThis as unknown as PageWindow).document.querySelectorAll('#search-results li').length > 0, {
        timeout: 5000,
      });
      const seen = await hostilePage.evaluate(() => {
        const { document, pwned } = globalThis as unknown as PageWindow;
        return {
          pwned: pwned ?? false,
          scripts: document.querySelectorAll('script').length,
          images: document.querySelectorAll('img').length,
          clipNames: Array.from(document.querySelectorAll('.clip-name')).map((e) => e.textContent),
          reelNames: Array.from(document.querySelectorAll('.reel-name')).map((e) => e.textContent),
          answers: Array.from(document.querySelectorAll('.tasks td')).map((e) => e.textContent),
          hits: Array.from(document.querySelectorAll('#search-results button')).map((e) => e.textContent),
        };
      });
      expect(errors).toEqual([]);
      expect(seen.pwned).toBe(false);
      expect(seen.scripts).toBe(2); // the page's data and its own script
      expect(seen.images).toBe(0);
      expect(seen.clipNames).toEqual([HOSTILE_TEXTS.clipName]);
      expect(seen.reelNames).toEqual([HOSTILE_TEXTS.reelName]);
      expect(seen.answers).toContain(HOSTILE_TEXTS.answer);
      expect(seen.hits).toEqual([HOSTILE_TEXTS.transcriptLine]);
      await hostilePage.close();
    } finally {
      fs.rmSync(hostileRoot, { recursive: true, force: true });
    }
  });

  test('a page over its transcript budget links the rest: over HTTP captions and search load them, from a folder it says they are left out', async () => {
    const copyRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-budget-'));
    fs.cpSync(root, copyRoot, { recursive: true });
    const server = await serveFolder(copyRoot);
    const tab = await browser.newPage();
    const errors: string[] = [];
    const asked: string[] = [];
    tab.on('pageerror', (err) => errors.push(String(err)));
    tab.on('request', (request) => asked.push(request.url()));
    try {
      const copy = openDestination(parseDestination(copyRoot));
      const manifest = JSON.parse(readText(manifestPath(testId))) as Manifest;
      manifest.assets = manifest.assets.map((a) => ({ ...a, storagePath: a.storagePath.replace(destination.uri, copy.uri) }));
      const transcripts = manifest.assets.filter((a) => a.kind === 'transcript' && a.status === 'stored');
      expect(transcripts.length).toBeGreaterThan(2);
      // Room for the first transcript only: the others are linked.
      const { model } = await writeTestPage(copy, manifest, { transcriptBudgetBytes: transcripts[0].bytes! });
      expect(model.transcriptsLinkedOnly).toBe(transcripts.length - 1);
      const held = model.sessions.filter((row) => row.transcript?.vtt !== undefined);
      expect(held.map((row) => row.sessionId)).toEqual([transcripts[0].sessionId!.toLowerCase()]);
      const heldText = held[0].transcript!.vtt!.toLowerCase();
      const linkedRow = model.sessions.find((row) => row.video && row.transcript && row.transcript.vtt === undefined)!;
      const vtt = fs.readFileSync(path.join(copyRoot, transcriptPath(testId, linkedRow.sessionId)), 'utf8');
      const cue = vtt
        .split('\n\n')
        .filter((b) => b.includes('-->'))
        .pop()!
        .split('\n');
      const [h, m, sec] = cue[1].split(' --> ')[0].split(':').map(Number);
      const startMs = Math.round((h * 3600 + m * 60 + sec) * 1000);
      const word = cue[2]
        .replace(/<[^>]*>/g, '')
        .split(/\W+/)
        .filter((w) => w.length > 3 && !heldText.includes(w.toLowerCase()))
        .sort((a, b) => b.length - a.length)[0];
      expect(word).toBeDefined();
      const captionsOf = (sessionId: string) =>
        tab.evaluate(async (id) => {
          const { document } = globalThis as unknown as PageWindow;
          const holder = document.querySelector(`.player[data-session="${id}"]`)!;
          holder.scrollIntoView({ block: 'center' });
          const deadline = Date.now() + 10_000;
          while (!holder.querySelector('video') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
          const video = holder.querySelector<PageVideo>('video')!;
          const track = video.textTracks[0];
          while (track && (!track.cues || track.cues.length === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
          return { tracks: video.textTracks.length, cues: track?.cues?.length ?? 0 };
        }, sessionId);
      const searchFor = async () => {
        await tab.$eval('#search-input', (input) => input.scrollIntoView());
        await tab.type('#search-input', word);
        await tab.waitForFunction(() => /\d+ lines?/.test((globalThis as unknown as PageWindow).document.querySelector('#search-status')?.textContent ?? ''), {
          timeout: 5000,
        });
      };
      const hitSelector = `#search-results button[data-session="${linkedRow.sessionId}"][data-start="${startMs}"]`;

      // From a folder: the held transcript only, and the page says so.
      await tab.goto(pathToFileURL(path.join(copyRoot, testPagePath(testId))).href, { waitUntil: 'load' });
      expect(await tab.$eval('#linked-transcripts', (e) => e.textContent)).toContain(`${transcripts.length - 1} more are linked`);
      expect(await captionsOf(linkedRow.sessionId)).toEqual({ tracks: 0, cues: 0 });
      await searchFor();
      expect(await tab.$(hitSelector)).toBeNull();
      expect(await tab.$eval('#search-status', (e) => e.textContent)).toContain('searched over HTTP(S) only');

      // Over HTTP, as a static website serves it: the linked transcripts become captions and are searched.
      await tab.goto(`${server.url}/${testPagePath(testId)}`, { waitUntil: 'load' });
      expect(await captionsOf(linkedRow.sessionId)).toEqual({ tracks: 1, cues: vtt.split('-->').length - 1 });
      await searchFor();
      await tab.waitForSelector(hitSelector, { timeout: 10_000 });
      await tab.waitForFunction(() => !/loading/.test((globalThis as unknown as PageWindow).document.querySelector('#search-status')?.textContent ?? ''), {
        timeout: 10_000,
      });
      expect(server.requested).toEqual(expect.arrayContaining([`/${transcriptPath(testId, linkedRow.sessionId)}`]));
      const inArchive = (url: string) => [pathToFileURL(copyRoot).href + '/', server.url + '/', 'blob:', 'data:'].some((start) => url.startsWith(start));
      expect(asked.filter((url) => !inArchive(url))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await tab.close();
      await server.close();
      fs.rmSync(copyRoot, { recursive: true, force: true });
    }
  });
});
