import { MultiBar } from 'cli-progress';
import { plainLine, renderRuns, type RunView } from './progress-lines';

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
  const withRates = trackRates();
  if (!stream.isTTY) return plainLines(stream, options.ratePerMinute, options.plainEveryMs ?? 5000, withRates);

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
  const last = new Map<string, { line: string; at: number }>();
  return {
    update(views) {
      for (const view of withRates(views)) {
        const line = plainLine(view, ratePerMinute);
        const previous = last.get(view.snapshot.testId);
        if (previous && (previous.line === line || Date.now() - previous.at < everyMs)) continue;
        stream.write(`${line}\n`);
        last.set(view.snapshot.testId, { line, at: Date.now() });
      }
    },
    stop: () => undefined,
  };
}

/** Bytes per second of each test over the last few seconds (the parent's byte count moves in steps). */
function trackRates(): (views: RunView[]) => RunView[] {
  const samples = new Map<string, Array<{ at: number; bytes: number }>>();
  return (views) =>
    views.map((view) => {
      const list = samples.get(view.snapshot.testId) ?? [];
      list.push({ at: Date.now(), bytes: view.snapshot.bytesDownloaded });
      while (list.length > 2 && list[0].at < Date.now() - 10_000) list.shift();
      samples.set(view.snapshot.testId, list);
      const first = list[0];
      const seconds = (Date.now() - first.at) / 1000;
      return { ...view, bytesPerSecond: seconds >= 1 ? (view.snapshot.bytesDownloaded - first.bytes) / seconds : undefined };
    });
}
