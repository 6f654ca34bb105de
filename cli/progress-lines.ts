import { ASSET_KIND_LIST, noProgress, type AssetKind, type ProgressSnapshot } from '../contract/asset-types';
import { SELECTION_OF_KIND } from '../contract/inputs';
import { formatDuration } from './format';
import { secondsAtBudget, totalsOf, type RunProgress, type RunTotals } from './run-estimate';

export interface RunView extends RunProgress {
  /** Bytes per second lately, measured by the display. */
  bytesPerSecond?: number;
}

const KINDS = ASSET_KIND_LIST;
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
const fit = (line: string, width: number) => (line.length <= width ? line : `${line.slice(0, Math.max(0, width - 1))}…`);
const wanted = (view: RunView, kind: AssetKind) => view.only.includes(SELECTION_OF_KIND[kind]);

/** One plain line of a parent's snapshot (`status`). */
export function describeProgress(s: ProgressSnapshot): string {
  const parts = KINDS.map((kind) => {
    // A run of an older version has no counts for the kinds added since.
    const c = { ...noProgress(), ...s.assets[kind] };
    return `${SELECTION_OF_KIND[kind]} ${c.stored} stored/${c.skipped} skipped/${c.failed} failed/${c.pending + c.generating} to do`;
  });
  return `[${s.phase}] sessions ${s.sessions.done}/${s.sessions.total} | ${parts.join(' | ')} | ${mib(s.bytesDownloaded)}`;
}

function budgetLine(t: RunTotals, ratePerMinute: number, done: boolean): string {
  if (done) return `API requests ${t.spent}`;
  return `API requests ${t.spent}, ~${t.remaining} left · ETA ${formatDuration(t.etaSeconds)} at ${ratePerMinute}/min`;
}

/** The block shown on a terminal for one test, each line cut to `width`. */
export function renderRun(view: RunView, ratePerMinute: number, width: number): string[] {
  const s = view.snapshot;
  const t = totalsOf(view, ratePerMinute);
  const sessions = `sessions ${s.sessions.done}/${s.sessions.total || '?'}${s.sessionsInFlight ? `, ${s.sessionsInFlight} running` : ''}`;
  const lines = [`test ${s.testId.slice(0, 8)} · ${s.phase} · ${sessions}`];
  for (const kind of KINDS) {
    if (!wanted(view, kind)) continue;
    const c = t.assets[kind];
    const busy = c.pending + c.generating;
    lines.push(
      (
        `  ${SELECTION_OF_KIND[kind].padEnd(12)} stored ${String(c.stored).padEnd(5)} skipped ${String(c.skipped).padEnd(4)} ` +
        `failed ${String(c.failed).padEnd(4)} ${busy ? `in progress ${busy}` : ''}`
      ).trimEnd(),
    );
  }
  const rate = view.bytesPerSecond ? ` at ${mib(view.bytesPerSecond)}/s` : '';
  lines.push(`  ${mib(t.bytes)}${rate} · ${budgetLine(t, ratePerMinute, s.phase === 'done')}`);
  return lines.map((l) => fit(l, width));
}

/** Several tests: a line each, and the budget they share. */
export function renderRuns(views: RunView[], ratePerMinute: number, width: number): string[] {
  if (views.length === 1) return renderRun(views[0], ratePerMinute, width);
  let spent = 0;
  let remaining = 0;
  const lines = views.map((view) => {
    const s = view.snapshot;
    const t = totalsOf(view, ratePerMinute);
    spent += t.spent;
    remaining += t.remaining;
    const total = (state: 'stored' | 'skipped' | 'failed') => KINDS.reduce((n, k) => n + t.assets[k][state], 0);
    return fit(
      `${s.testId.slice(0, 8)} ${s.phase.padEnd(9)} sessions ${s.sessions.done}/${s.sessions.total || '?'} ` +
        `· stored ${total('stored')} skipped ${total('skipped')} failed ${total('failed')} ` +
        `· ${mib(t.bytes)} · ${t.spent} req`,
      width,
    );
  });
  const eta = secondsAtBudget(remaining, ratePerMinute);
  const budget = `${views.length} tests · API requests ${spent}, ~${remaining} left · ETA ${formatDuration(eta)} at ${ratePerMinute}/min (one budget)`;
  lines.push(fit(budget, width));
  return lines;
}

/** The line printed every few seconds when stderr is not a terminal. */
export function plainLine(view: RunView, ratePerMinute: number): string {
  const s = view.snapshot;
  const t = totalsOf(view, ratePerMinute);
  const kinds = KINDS.filter((k) => wanted(view, k)).map((kind) => {
    const c = t.assets[kind];
    return `${SELECTION_OF_KIND[kind]} ${c.stored} stored/${c.skipped} skipped/${c.failed} failed/${c.pending + c.generating} in progress`;
  });
  return (
    `test ${s.testId.slice(0, 8)} [${s.phase}] sessions ${s.sessions.done}/${s.sessions.total || '?'} ` +
    `| ${kinds.join(' | ')} | ${mib(t.bytes)} | ${budgetLine(t, ratePerMinute, s.phase === 'done')}`
  );
}
