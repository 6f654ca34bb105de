import { createHash } from 'node:crypto';
import { escapeHtml, jsonForScript } from './escape';
import type { PageModel, PageSession } from './page-model';
import { PAGE_SCRIPT } from './page-script';
import { PAGE_STYLE } from './page-style';

/** The data block the page's script reads (and the next rendering reuses: transcripts and details by md5). */
export const PAGE_DATA_ID = 'archive-data';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');

/**
 * Nothing but the inline style and script may run, media only from the archive itself (or the
 * captions the script makes from the page's copy of a transcript), and no request leaves it.
 */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    `script-src 'sha256-${sha256(PAGE_SCRIPT)}'`,
    `style-src 'sha256-${sha256(PAGE_STYLE)}'`,
    "media-src 'self' blob:",
    // Transcripts beyond the page's budget are fetched from beside it (over HTTP(S) only).
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function clock(ms: number | undefined): string {
  if (ms === undefined) return '?';
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

const attr = escapeHtml;
const cell = (value: unknown) => `<td>${escapeHtml(value ?? '')}</td>`;

function summaryTable(model: PageModel): string {
  const rows = Object.entries(model.kinds)
    .map(([kind, c]) => `<tr>${cell(kind)}${cell(c.stored)}${cell(c.skipped)}${cell(c.failed)}${cell(c.withdrawn)}</tr>`)
    .join('\n');
  return (
    '<table class="kinds"><thead><tr><th>kind</th><th>stored</th><th>skipped</th><th>failed</th><th>withdrawn</th></tr></thead>' +
    `<tbody>\n${rows}\n</tbody></table>`
  );
}

function qxTable(model: PageModel): string {
  const qx = model.qxScores;
  if (!qx) return '';
  const rows = qx.rows.map((r) => `<tr>${cell(r.label)}${cell(r.qxScore ?? '–')}${cell(r.behavioral ?? '–')}${cell(r.attitudinal ?? '–')}</tr>`).join('\n');
  const meta = [qx.completes !== undefined ? `${qx.completes} completes` : '', qx.totalQxTasks !== undefined ? `${qx.totalQxTasks} QX tasks` : '']
    .filter(Boolean)
    .join(', ');
  return `<h2>QXscores</h2>
<p class="meta">${escapeHtml(meta)}</p>
<table class="qxscores"><thead><tr><th>task group</th><th>QXscore</th><th>behavioral</th><th>attitudinal</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function reelsSection(model: PageModel): string {
  if (!model.reels.length) return '<h2>Highlight reels</h2><p class="meta">none</p>';
  const figures = model.reels.map((reel) => {
    const player = reel.src ? `<video controls preload="metadata" src="${attr(reel.src)}"></video>` : '<div class="player none">not stored</div>';
    const about = [reel.durationMs !== undefined ? clock(reel.durationMs) : '', reel.numClips !== undefined ? `${reel.numClips} clips` : '']
      .filter(Boolean)
      .join(', ');
    return `<figure class="reel" data-reel="${attr(reel.reelId)}">${player}<figcaption><span class="reel-name">${escapeHtml(reel.name)}</span> <span class="meta">${escapeHtml(about)}</span></figcaption></figure>`;
  });
  return `<h2>Highlight reels (${model.reels.length})</h2>\n<div class="reels">\n${figures.join('\n')}\n</div>`;
}

/** What a row says of a session the API no longer lists. */
function withdrawnNote(since: string): string {
  return `the API no longer lists this session${since ? ` (first missed ${since})` : ''}; archived until ingest --prune removes it`;
}

function sessionRow(session: PageSession): string {
  const id = attr(session.sessionId);
  const facts: Array<[string, string | undefined]> = [
    ['started', session.startTime],
    ['finished', session.finishTime],
    ['status', session.sessionStatus],
    ['archived', session.stored.length ? session.stored.join(', ') : 'nothing'],
    ['participant', session.details?.participant.participantId],
    ['withdrawn', session.withdrawnSince === undefined ? undefined : withdrawnNote(session.withdrawnSince)],
  ];
  const list = facts
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('');
  const noVideo = session.notStored.find((n) => n.kind === 'video');
  const player = session.video
    ? `<div class="player" data-session="${id}"><button type="button" data-load>Load video</button></div>`
    : `<div class="player none">${escapeHtml(noVideo ? `no video: ${noVideo.reason}` : 'no video')}</div>`;
  const participant = session.details?.participant;
  const details = participant
    ? `<details class="participant"><summary>Participant details</summary>
<dl>${participant.demographics.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
${
  participant.tasks.length
    ? `<table class="tasks"><thead><tr><th>task</th><th>type</th><th>answer</th></tr></thead><tbody>${participant.tasks
        .map((t) => `<tr>${cell(t.text)}${cell(t.type)}${cell(t.answer)}</tr>`)
        .join('')}</tbody></table>`
    : ''
}</details>`
    : '';
  const clips = session.clips.length
    ? `<ol class="clips">${session.clips
        .map((clip) => {
          const range = `${clock(clip.startMs)}–${clock(clip.endMs)}`;
          const play = clip.src ? ` <button type="button" data-clip="${attr(clip.src)}">Play clip</button>` : ' <span class="meta">(clip not stored)</span>';
          const seek = session.video && clip.startMs !== undefined ? ` <button type="button" data-seek="${clip.startMs}">Show in session</button>` : '';
          const description = clip.description ? ` <span class="meta">${escapeHtml(clip.description)}</span>` : '';
          return `<li data-clip-id="${attr(clip.clipId)}"><span class="clip-name">${escapeHtml(clip.name)}</span> <span class="meta">${range}</span>${description}${play}${seek}</li>`;
        })
        .join('')}</ol>`
    : '';
  const notes = session.notStored.length
    ? `<ul class="notes">${session.notStored.map((n) => `<li>${escapeHtml(`${n.kind} ${n.status}: ${n.reason}`)}</li>`).join('')}</ul>`
    : '';
  const withdrawn = session.withdrawnSince === undefined ? '' : ' withdrawn';
  return `<article class="session-row${withdrawn}" id="session-${id}" data-session="${id}">
${player}
<div><h3>Session ${escapeHtml(session.sessionId)}</h3><dl>${list}</dl>${details}${clips}${notes}</div>
</article>`;
}

/** The data the script needs (and the cache of the next rendering); the rows themselves are HTML already. */
function pageData(model: PageModel) {
  return {
    testId: model.testId,
    qxScoresMd5: model.qxScores?.md5,
    sessions: model.sessions.map((s) => ({ sessionId: s.sessionId, video: s.video, transcript: s.transcript, details: s.details })),
  };
}

/** Says which transcripts the page holds no copy of, and what that means opened from a folder. */
function linkedOnlyNote(model: PageModel): string {
  const linked = model.transcriptsLinkedOnly;
  if (linked === 0) return '';
  const held = model.sessions.filter((s) => s.transcript?.vtt !== undefined).length;
  return `<p class="meta" id="linked-transcripts">This page holds ${held} transcripts; ${linked} more are linked beside it (too many to hold). Served over HTTP(S), captions and search load them; opened from a folder, they are left out.</p>
`;
}

/** The whole page: same bytes for the same archive, whatever the destination. */
export function renderTestPage(model: PageModel): string {
  const sessionsWithVideo = model.sessions.filter((s) => s.video).length;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy())}">
<meta name="referrer" content="no-referrer">
<title>UserTesting test ${escapeHtml(model.testId)}: archive</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<p class="meta"><a href="../index.html">All tests in this archive</a></p>
<h1>Test ${escapeHtml(model.testId)}</h1>
<p class="meta">${model.sessions.length} sessions (${sessionsWithVideo} with video), ${model.reels.length} highlight reels; last stored ${escapeHtml(
    model.archivedAt ?? 'never',
  )}. Listed in <a href="manifest.json">manifest.json</a> (<a href="manifest.jsonl">manifest.jsonl</a>).</p>
<h2>What is archived</h2>
${summaryTable(model)}
${qxTable(model)}
${reelsSection(model)}
<h2>Search the transcripts</h2>
${linkedOnlyNote(model)}<p><input type="search" id="search-input" placeholder="a word participants said" aria-label="Search the transcripts"> <span id="search-status" class="meta"></span></p>
<ol id="search-results"></ol>
<h2>Sessions (${model.sessions.length})</h2>
${model.sessions.map(sessionRow).join('\n')}
<script type="application/json" id="${PAGE_DATA_ID}">${jsonForScript(pageData(model))}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
