import { escapeHtml, jsonForScript } from './escape';
import { PAGE_STYLE } from './page-style';

/** One row of the destination's `index.html`. */
export interface ArchivedTest {
  testId: string;
  sessions: number;
  reels: number;
  archivedAt: string | null;
}

export const ARCHIVE_INDEX_DATA_ID = 'archive-index-data';

/** The destination's `index.html`: one link per test page, newest first; no script at all. */
export function renderArchiveIndex(tests: ArchivedTest[]): string {
  const ordered = [...tests].sort((a, b) => (b.archivedAt ?? '').localeCompare(a.archivedAt ?? '') || a.testId.localeCompare(b.testId));
  const rows = ordered
    .map(
      (t) =>
        `<tr><td><a href="test_id=${escapeHtml(t.testId)}/index.html">${escapeHtml(t.testId)}</a></td><td>${t.sessions}</td><td>${t.reels}</td><td>${escapeHtml(t.archivedAt ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>UserTesting archive</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<h1>UserTesting archive</h1>
<p class="meta">${ordered.length} tests. Each page shows a test's sessions with their videos, transcripts, clips and highlight reels.</p>
<table class="tests"><thead><tr><th>test</th><th>sessions</th><th>highlight reels</th><th>last stored</th></tr></thead><tbody>
${rows}
</tbody></table>
<script type="application/json" id="${ARCHIVE_INDEX_DATA_ID}">${jsonForScript({ tests: ordered })}</script>
</body>
</html>
`;
}
