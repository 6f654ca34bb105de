import { SingleBar, Presets } from 'cli-progress';
import type { ProgressSnapshot } from '../workflows/asset-types';

/** Live progress on stderr: a bar on a terminal, a line every few seconds otherwise (CI logs). */
export interface ProgressDisplay {
  update(snapshot: ProgressSnapshot): void;
  stop(): void;
}

export function describeProgress(s: ProgressSnapshot): string {
  const parts = (Object.keys(s.assets) as Array<keyof ProgressSnapshot['assets']>).map((kind) => {
    const c = s.assets[kind];
    return `${kind}s ${c.stored} stored/${c.skipped} skipped/${c.failed} failed/${c.pending + c.generating} to do`;
  });
  return `[${s.phase}] sessions ${s.sessions.done}/${s.sessions.total} | ${parts.join(' | ')} | ${(s.bytesDownloaded / 1048576).toFixed(1)} MiB`;
}

/** `perTest`: several tests at once, a line per test every `intervalMs` (a bar cannot show them). */
export function createProgressDisplay(stream: NodeJS.WriteStream = process.stderr, intervalMs = 5000, perTest = false): ProgressDisplay {
  if (perTest) return linesPerTest(stream, intervalMs);
  if (stream.isTTY) {
    const bar = new SingleBar({ stream, format: 'sessions {bar} {value}/{total} | {detail}', hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
    let started = false;
    return {
      update(s) {
        const detail = describeProgress(s).split(' | ').slice(1).join(' | ');
        if (!started) {
          bar.start(Math.max(s.sessions.total, 1), s.sessions.done, { detail });
          started = true;
        }
        bar.setTotal(Math.max(s.sessions.total, 1));
        bar.update(s.sessions.done, { detail });
      },
      stop: () => started && bar.stop(),
    };
  }
  let last = '';
  let lastAt = 0;
  return {
    update(s) {
      const line = describeProgress(s);
      if (line !== last && Date.now() - lastAt >= intervalMs) {
        stream.write(`${line}\n`);
        last = line;
        lastAt = Date.now();
      }
    },
    stop: () => undefined,
  };
}

function linesPerTest(stream: NodeJS.WriteStream, intervalMs: number): ProgressDisplay {
  const last = new Map<string, { line: string; at: number }>();
  return {
    update(s) {
      const line = `test ${s.testId.slice(0, 8)} ${describeProgress(s)}`;
      const previous = last.get(s.testId);
      if (previous && (previous.line === line || Date.now() - previous.at < intervalMs)) return;
      stream.write(`${line}\n`);
      last.set(s.testId, { line, at: Date.now() });
    },
    stop: () => undefined,
  };
}
