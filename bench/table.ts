/** The bench's result table: one row per measured ratio, with its target and ✓/✗, and the JSON record of a run. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface BenchRow {
  /** Stable key in the JSON record, e.g. `e2e.speedup`. */
  id: string;
  label: string;
  value: number;
  /** The target; none: a figure shown for context. */
  target?: { op: '<=' | '>='; value: number };
  /** What was measured, in a few words (the raw figures behind the ratio). */
  detail: string;
}

export function meets(row: BenchRow): boolean | undefined {
  if (!row.target) return undefined;
  return row.target.op === '<=' ? row.value <= row.target.value : row.value >= row.target.value;
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
}

export function printTable(rows: BenchRow[]): void {
  const labelWidth = Math.max(...rows.map((r) => r.label.length));
  console.log(`\n  ${'measure'.padEnd(labelWidth)}  ${'value'.padStart(8)}  ${'target'.padEnd(8)}    detail`);
  for (const row of rows) {
    const ok = meets(row);
    const target = row.target ? `${row.target.op === '<=' ? '≤' : '≥'} ${row.target.value}` : '';
    console.log(
      `  ${row.label.padEnd(labelWidth)}  ${formatValue(row.value).padStart(8)}  ${target.padEnd(8)} ` +
        `${ok === undefined ? ' ' : ok ? '✓' : '✗'}  ${row.detail}`,
    );
  }
}

/** Writes `bench/results/<date>-<commit>.json` (git-ignored) and returns its path. */
export function writeResults(rows: BenchRow[], meta: Record<string, unknown>): string {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout
  }
  const date = new Date().toISOString().slice(0, 10);
  const dir = path.join(__dirname, '..', '..', 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${date}-${commit}.json`);
  const record = { date, commit, ...meta, rows: rows.map((r) => ({ ...r, met: meets(r) })) };
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}
