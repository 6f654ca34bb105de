import { printJsonRows } from './json-outcome';
import type { AssetCounts, AssetKind, IngestSummary } from '../contract/asset-types';
import { SELECTION_OF_KIND } from '../contract/inputs';
import { pruneRefusals, WITHDRAWABLE_LISTS, type WithdrawalSummary } from '../contract/withdrawals';

/** One line per kind: `  videos       stored 10, skipped 2, failed 0`. */
export function countLines(counts: Partial<AssetCounts>): string[] {
  return Object.entries(counts).map(
    ([kind, c]) => `  ${(SELECTION_OF_KIND[kind as AssetKind] ?? kind).padEnd(12)} stored ${c.stored}, skipped ${c.skipped}, failed ${c.failed}`,
  );
}

/** How one test's run ended, as `ingest` and `status --wait` report it (a row of the summary). */
export type TestOutcome = { testId: string; code: number; summary?: IngestSummary; error?: string };

/** The cause of a run whose assets failed, for `--json` (the human summary names each one). */
export function failedAssetsCause(failed: number): string {
  return `${failed} asset${failed === 1 ? '' : 's'} failed: each is named in "failures" (the first 20) and in the manifest`;
}

/** The summary: one JSON object with `--json` (stdout holds nothing else), else a block per test and a table. */
export function printSummary(outcomes: TestOutcome[], json: boolean): void {
  if (json) {
    printJsonRows(
      outcomes.map((o) => ({
        code: o.code,
        error:
          o.error ?? (o.summary?.failed ? failedAssetsCause(o.summary.failed) : undefined) ?? (pruneRefusals(o.summary?.withdrawals).join('; ') || undefined),
        body: { testId: o.testId, ...(o.summary ?? {}) },
      })),
    );
    return;
  }
  const lines: string[] = [];
  for (const o of outcomes) {
    if (o.error) process.stderr.write(`ut-media: test ${o.testId}: ${o.error}\n`);
    const s = o.summary;
    if (!s) {
      lines.push(`Test ${o.testId}: FAILED (${o.error})`);
      continue;
    }
    lines.push(`Test ${s.testId}: ${s.sessions} sessions, ${s.downloaded} files downloaded (${(s.bytesDownloaded / 1048576).toFixed(1)} MiB)`);
    lines.push(...countLines(s.counts), ...withdrawalLines(s.withdrawals));
    for (const f of s.failures) lines.push(`  FAILED ${f.list ? `${f.list} list of` : f.kind} ${f.id}: ${f.reason}`);
    if (s.failed > s.failures.length) lines.push(`  ... and ${s.failed - s.failures.length} more failures: see the manifest`);
    lines.push(`  Manifest: ${s.manifestPath}`);
  }
  if (outcomes.length > 1) {
    lines.push('', 'test                                  exit  sessions  stored  skipped  failed');
    for (const o of outcomes) {
      const total = (status: 'stored' | 'skipped' | 'failed') =>
        !o.summary ? 0 : status === 'failed' ? o.summary.failed : Object.values(o.summary.counts).reduce((n, c) => n + c[status], 0);
      lines.push(
        `${o.testId}  ${String(o.code).padStart(4)}  ${String(o.summary?.sessions ?? '-').padStart(8)}  ${String(total('stored')).padStart(6)}  ` +
          `${String(total('skipped')).padStart(7)}  ${String(total('failed')).padStart(6)}`,
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `  withdrawn    sessions 2 (pruned 2, 11 objects, 3.1 MiB)`, and why a prune was refused. */
function withdrawalLines(withdrawals: WithdrawalSummary | undefined): string[] {
  const lines: string[] = [];
  for (const list of WITHDRAWABLE_LISTS) {
    const w = withdrawals?.[list];
    if (!w || (!w.withdrawn && !w.pruned && !w.pruneRefused)) continue;
    const pruned = w.pruned ? `; pruned ${w.pruned} (${w.prunedObjects} objects, ${(w.prunedBytes / 1048576).toFixed(1)} MiB)` : '';
    lines.push(`  withdrawn    ${list} ${w.withdrawn} of ${w.archived} archived${pruned}${w.complete ? '' : ` (listing incomplete: ${w.incompleteReason})`}`);
  }
  for (const reason of pruneRefusals(withdrawals)) lines.push(`  PRUNE REFUSED: ${reason}`);
  return lines;
}
