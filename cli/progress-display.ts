import { MultiBar } from 'cli-progress';
import { DEFAULT_PROGRESS_INTERVAL_MS } from '../config/settings';
import { plainLine, renderRuns, type RunView } from './progress-lines';
import { totalsOf } from './run-estimate';

/** Live progress on stderr: a block redrawn in place on a terminal, plain lines every few seconds otherwise. */
export interface ProgressDisplay {
  update(views: RunView[]): void;
  stop(): void;
}

export interface DisplayOptions {
  stream?: NodeJS.WriteStream;
  ratePerMinute: number;
  /** Without a terminal: a line per test at most this often. */
  plainEveryMs?: number;
}

export function createProgressDisplay(options: DisplayOptions): ProgressDisplay {
  const stream = options.stream ?? process.stderr;
  const withRates = trackTrends(options.ratePerMinute);
  if (!stream.isTTY) return plainLines(stream, options.ratePerMinute, options.plainEveryMs ?? DEFAULT_PROGRESS_INTERVAL_MS, withRates);

  // cli-progress draws and redraws the block; each of its "bars" is one of our lines.
  let lines: string[] = [];
  const multibar = new MultiBar({ stream, hideCursor: true, clearOnComplete: false, linewrap: false, format: () => '', forceRedraw: true, fps: 5 });
  const bars: ReturnType<MultiBar['create']>[] = [];
  const draw = () => {
    while (bars.length < lines.length) {
      const index = bars.length;
      bars.push(multibar.create(1, 0, {}, { format: () => lines[index] ?? '' }));
    }
    multibar.update();
  };
  const onResize = () => draw();
  stream.on('resize', onResize);
  let last: RunView[] = [];
  return {
    update(views) {
      last = withRates(views);
      lines = renderRuns(last, options.ratePerMinute, stream.columns || 80);
      draw();
    },
    stop() {
      stream.off('resize', onResize);
      if (last.length) lines = renderRuns(last, options.ratePerMinute, stream.columns || 80);
      if (bars.length) multibar.stop();
    },
  };
}

function plainLines(stream: NodeJS.WriteStream, ratePerMinute: number, everyMs: number, withRates: (v: RunView[]) => RunView[]): ProgressDisplay {
  const printed = new Map<string, { line: string; at: number }>();
  let latest: RunView[] = [];
  const print = (force: boolean) => {
    for (const view of latest) {
      const line = plainLine(view, ratePerMinute);
      const previous = printed.get(view.snapshot.testId);
      if (previous && (previous.line === line || (!force && Date.now() - previous.at < everyMs))) continue;
      stream.write(`${line}\n`);
      printed.set(view.snapshot.testId, { line, at: Date.now() });
    }
  };
  return {
    update(views) {
      latest = withRates(views);
      print(false);
    },
    // The final state is printed even if the last line went out a moment ago.
    stop: () => print(true),
  };
}

/**
 * Bytes per second of each test over the last few seconds (the parent's byte count moves in steps),
 * and the requests shown so far, which never go back.
 */
function trackTrends(ratePerMinute: number): (views: RunView[]) => RunView[] {
  const samples = new Map<string, Array<{ at: number; bytes: number }>>();
  const shown = new Map<string, number>();
  return (views) =>
    views.map((raw) => {
      const id = raw.snapshot.testId;
      const view = { ...raw, spentAtLeast: shown.get(id) };
      const totals = totalsOf(view, ratePerMinute);
      shown.set(id, totals.spent);
      const list = samples.get(id) ?? [];
      list.push({ at: Date.now(), bytes: totals.bytes });
      while (list.length > 2 && list[0].at < Date.now() - 10_000) list.shift();
      samples.set(id, list);
      const seconds = (Date.now() - list[0].at) / 1000;
      return { ...view, bytesPerSecond: seconds >= 1 ? Math.max(0, totals.bytes - list[0].bytes) / seconds : undefined };
    });
}
