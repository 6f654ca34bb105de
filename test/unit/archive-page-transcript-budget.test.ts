/** A page holds transcripts up to its budget and links the rest, without reading them. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildPageModel, PAGE_DATA_ID, pageDataOf, renderTestPage, writeTestPage } from '../../archive-page';
import type { Manifest, ManifestAsset } from '../../contract/manifest-types';
import { transcriptPath } from '../../contract/asset-paths';
import { openDestination, parseDestination } from '../../storage';

const TEST_ID = '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d';
const session = (i: number) => `7b8c9d0e-1f2a-4b3c-9d4e-${String(i).padStart(12, '0')}`;
const vttOf = (i: number, lines: number) =>
  `WEBVTT\n\n${Array.from({ length: lines }, (_, c) => `${c + 1}\n00:00:0${c}.000 --> 00:00:0${c}.900\n<v Participant>line ${c} of session ${i}\n`).join('\n')}`;

function transcript(i: number, vtt: string, root = '/archive'): ManifestAsset {
  return {
    kind: 'transcript',
    testId: TEST_ID,
    sessionId: session(i),
    status: 'stored',
    storagePath: `file://${root}/${transcriptPath(TEST_ID, session(i))}`,
    bytes: Buffer.byteLength(vtt),
    md5: `md5-${i}`,
    crc32c: 'c',
    downloadedAt: '2026-12-01T00:00:00.000Z',
  };
}

test('transcripts fill the budget in manifest order; the rest are linked and never read', async () => {
  const vtts = [vttOf(0, 3), vttOf(1, 9), vttOf(2, 2)];
  const manifest: Manifest = { testId: TEST_ID, updatedAt: '2026-12-05T00:00:00.000Z', assets: vtts.map((v, i) => transcript(i, v)) };
  const read: string[] = [];
  const sources = {
    transcript: async (asset: ManifestAsset) => (read.push(asset.sessionId!), vtts[Number(asset.sessionId!.slice(-1))]),
    details: async () => undefined,
    qxScores: async () => undefined,
  };
  // Room for the first and the third: the second does not fit after the first.
  const budget = Buffer.byteLength(vtts[0]) + Buffer.byteLength(vtts[2]);
  const model = await buildPageModel(manifest, sources, { transcriptBudgetBytes: budget });
  expect(read).toEqual([session(0), session(2)]);
  expect(model.transcriptsLinkedOnly).toBe(1);
  const rows = new Map(model.sessions.map((s) => [s.sessionId, s.transcript]));
  expect(rows.get(session(0))).toEqual({ src: `session_id=${session(0)}/transcript.vtt`, md5: 'md5-0', vtt: vtts[0] });
  expect(rows.get(session(1))).toEqual({ src: `session_id=${session(1)}/transcript.vtt`, md5: 'md5-1' });

  const html = renderTestPage(model);
  expect(html).toContain('This page holds 2 transcripts; 1 more are linked beside it');
  expect(html).toContain('connect-src &#39;self&#39;');
  const data = pageDataOf(html, PAGE_DATA_ID) as { sessions: Array<{ sessionId: string; transcript?: { vtt?: string } }> };
  expect(data.sessions.find((s) => s.sessionId === session(1))!.transcript).not.toHaveProperty('vtt');

  // Within the default budget, every transcript is held and the page has no note.
  const all = await buildPageModel(manifest, sources);
  expect(all.transcriptsLinkedOnly).toBe(0);
  expect(renderTestPage(all)).not.toContain('linked-transcripts');
});

test('the budget counts bytes, not characters', async () => {
  const accented = vttOf(0, 4).replace(/line/g, 'lïne');
  const plain = vttOf(1, 4);
  const vtts = [accented, plain];
  const manifest: Manifest = { testId: TEST_ID, updatedAt: '2026-12-05T00:00:00.000Z', assets: vtts.map((v, i) => transcript(i, v)) };
  const sources = {
    transcript: async (asset: ManifestAsset) => vtts[Number(asset.sessionId!.slice(-1))],
    details: async () => undefined,
    qxScores: async () => undefined,
  };
  expect(Buffer.byteLength(accented)).toBeGreaterThan(accented.length);
  // One byte short of holding both: counted in characters, the accented one would leave room.
  const budget = Buffer.byteLength(accented) + Buffer.byteLength(plain) - 1;
  const model = await buildPageModel(manifest, sources, { transcriptBudgetBytes: budget });
  expect(model.sessions.map((s) => s.transcript?.vtt !== undefined)).toEqual([true, false]);
});

test('a rerun with a larger budget reads the transcripts the page only linked', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-budget-unit-'));
  try {
    const destination = openDestination(parseDestination(root));
    const vtts = [vttOf(0, 4), vttOf(1, 4)];
    const assets: ManifestAsset[] = [];
    for (const [i, vtt] of vtts.entries()) {
      const stored = await destination.writeSmallObject(transcriptPath(TEST_ID, session(i)), vtt, { contentType: 'text/vtt' });
      assets.push({ ...transcript(i, vtt, root), storagePath: stored.uri, md5: stored.md5 });
    }
    const manifest: Manifest = { testId: TEST_ID, updatedAt: '2026-12-05T00:00:00.000Z', assets };
    const first = await writeTestPage(destination, manifest, { transcriptBudgetBytes: Buffer.byteLength(vtts[0]) });
    expect(first.model.transcriptsLinkedOnly).toBe(1);
    const second = await writeTestPage(destination, manifest);
    expect(second.written).toBe(true);
    expect(second.model.transcriptsLinkedOnly).toBe(0);
    expect(second.model.sessions.map((s) => s.transcript?.vtt)).toEqual(vtts);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
