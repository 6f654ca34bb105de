/**
 * The archive page shows text from the API as text, without a browser: the escaping functions, and
 * a page rendered from a manifest whose names, answers and transcript carry markup. The browser test
 * (integration/archive-page-browser) shows the same page in Chromium; this one runs where none is.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PAGE_DATA_ID, pageDataOf, writeTestPage } from '../../archive-page';
import { escapeHtml, jsonForScript } from '../../archive-page/escape';
import { LocalDestination } from '../../storage/local/destination';
import { hostileManifest, HOSTILE_TEXTS } from '../support/hostile-manifest';

describe('archive page escaping', () => {
  test('escapeHtml turns every character that could start markup or end an attribute into an entity', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(escapeHtml(undefined)).toBe('');
  });

  test('jsonForScript cannot close its script element and reads back unchanged', () => {
    const value = { name: '</script><script>alert(1)</script><!-- \u2028\u2029', n: 1 };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  test('a page of hostile names, answers and transcript lines holds them only as text: names escaped, its data reading back exactly', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-page-escaping-'));
    try {
      const destination = new LocalDestination({ scheme: 'file', root });
      const { page } = await writeTestPage(destination, await hostileManifest(destination));
      const html = fs.readFileSync(new URL(page.uri), 'utf8');
      for (const markup of ['<script>window.pwned', '<img src=x', 'onerror="window.pwned', '<b>"it', '<h1>task', '<u>x</u>', '<i>Gender'])
        expect(html).not.toContain(markup);
      // The page's own script elements only: its data block and its code.
      expect(html.match(/<script\b/g)).toHaveLength(2);
      // Names are in the markup, escaped; answers and transcripts in the data block, as they were.
      for (const name of [HOSTILE_TEXTS.clipName, HOSTILE_TEXTS.reelName]) expect(html).toContain(escapeHtml(name));
      expect(JSON.stringify(pageDataOf(html, PAGE_DATA_ID))).toContain(JSON.stringify(HOSTILE_TEXTS.answer));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
