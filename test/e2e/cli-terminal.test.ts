import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { testEnv } from '../support/pipeline-fixture';
import { PROJECT_ROOT, ProcessGroup } from '../support/processes';

const PTY = path.join(PROJECT_ROOT, 'test', 'support', 'pty-run.py');
const CLI = path.join(PROJECT_ROOT, 'bin', 'ut-media.js');

/** Escape sequences removed, the text split where the terminal starts a new line or returns the cursor. */
function segments(raw: string): string[] {
  // eslint-disable-next-line no-control-regex
  const plain = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '\n').replace(/\x1b[()][A-Z0-9]/g, '');
  return plain.split(/[\r\n]/).filter((s) => s.length > 0);
}

/** Issue #11: `ingest` as people watch it: in a real terminal, piped, and with --json. */
describe('ingest progress, as a terminal, a pipe and a program see it', () => {
  let sim: RunningSimulator;
  const cli = new ProcessGroup();
  beforeAll(async () => {
    // 90 requests a minute: the run takes long enough (about 20 s) for the display to move.
    sim = await startSimulator({
      scenario: {
        ...generateScenario({ seed: 1141, tests: 2, sessions: 6, reels: 1, clipsPerSession: [1, 2], videoBytes: 40_000, clipBytes: 5_000, reelBytes: 10_000 }),
        rateLimit: { limit: 90, windowMs: 60_000 },
        generation: { generatingMs: 30 },
      },
    });
  });
  afterAll(async () => {
    await cli.killAll();
    await sim?.close();
  });

  test('in an 80-column pseudo-terminal the display advances, fits, redraws narrower after a resize and ends in the summary', async () => {
    // A frame a second (5 s by default): enough frames of this short run even on a loaded machine.
    const env = testEnv(sim, { UT_PROGRESS_INTERVAL_MS: '1000' });
    const testId = sim.scenario.tests[0].testId;
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-tty-'));
    cli.spawn(['worker'], env);
    // 4 s after the block first shows its budget line, the terminal gets 40 columns narrow.
    const tty = cli.spawnCommand(
      'python3',
      [PTY, '80', '24', '--resize-after-seen', 'API requests', '4', '40', '--', process.execPath, CLI, 'ingest', '--test', testId, '--dest', dest],
      env,
    );
    expect(await tty.exited).toBe(0);
    const raw = tty.output().stdout;
    // The live block's lines (messages and the final summary are ordinary text the terminal wraps).
    const block = segments(raw).filter((s) => /^(test [0-9a-f]{8} · | {2}(reels|clips|videos|transcripts|details|qxscore) +stored | {2}[\d.]+ MiB)/.test(s));
    expect(block.length).toBeGreaterThan(10);
    expect(Math.max(...block.map((s) => s.length))).toBeLessThanOrEqual(80);
    // The budget line advances: requests counted up while the ETA shrinks, to the end of the run.
    const budget = block.filter((s) => s.startsWith('  ') && s.includes('MiB'));
    // (a number followed by its comma was not cut by the narrower terminal)
    const spent = budget.map((b) => Number(/API requests (\d+),/.exec(b)?.[1] ?? -1)).filter((n) => n >= 0);
    // At least three values (three were seen in CI at the default 5 s a frame).
    expect(new Set(spent).size).toBeGreaterThanOrEqual(3);
    expect(spent).toEqual([...spent].sort((a, b) => a - b));
    expect(raw).toMatch(/API requests \d+, ~\d+ left · ETA \d+ s at 90\/min/);
    expect(block.some((s) => s.startsWith('test ') && s.includes('sessions 6/6'))).toBe(true);
    // Before the resize the budget line is whole; after it, cut to the 40 columns left.
    expect(budget.some((b) => b.length > 40 && !b.endsWith('…'))).toBe(true);
    expect(budget.some((b) => b.length === 40 && b.endsWith('…'))).toBe(true);
    expect(segments(raw).join('\n')).toMatch(new RegExp(`Test ${testId}: 6 sessions, \\d+ files downloaded`));
  }, 180_000);

  test('piped: plain progress lines on stderr; --json: stdout holds only the JSON summary', async () => {
    const env = testEnv(sim);
    const testId = sim.scenario.tests[1].testId;
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-pipe-'));
    cli.spawn(['worker'], env);
    const ingest = cli.spawn(['ingest', '--test', testId, '--dest', dest, '--json'], { ...env, UT_PROGRESS_INTERVAL_MS: '1000' });
    expect(await ingest.exited).toBe(0);
    const { stdout, stderr } = ingest.output();
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, testId, sessions: 6 });
    const lines = stderr.split('\n').filter((l) => l.startsWith(`test ${testId.slice(0, 8)} [`));
    expect(lines.length).toBeGreaterThan(1);
    expect(stderr).not.toMatch(/\x1b\[/); // eslint-disable-line no-control-regex
    expect(lines[lines.length - 1]).toMatch(/API requests \d+/);
  }, 180_000);
});
