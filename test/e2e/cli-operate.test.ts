import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { locateTool } from '../../scripts/tools';
import { generateScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { testWorkflowId } from '../../contract/task-queues';
import { harnessValue } from '../support/harness-env';
import { testEnv } from '../support/pipeline-fixture';
import { ProcessGroup, waitFor } from '../support/processes';

const run = promisify(execFile);

/** Issue #11: a run as operators see it from outside, on a cluster (the harness's dev server). */
describe('operating an ingestion', () => {
  let sim: RunningSimulator;
  const cli = new ProcessGroup();
  beforeAll(async () => {
    // 60 requests a minute: the run lasts long enough to be looked at while it goes.
    sim = await startSimulator({
      scenario: {
        ...generateScenario({ seed: 1101, tests: 2, sessions: 6, reels: 1, clipsPerSession: [1, 2], videoBytes: 20_000, clipBytes: 5_000, reelBytes: 10_000 }),
        rateLimit: { limit: 60, windowMs: 60_000 },
        generation: { generatingMs: 30 },
      },
    });
  });
  afterAll(async () => {
    await cli.killAll();
    await sim?.close();
  });

  test('temporal workflow describe of a running ingestion shows its summary and current details', async () => {
    const env = testEnv(sim);
    const testId = sim.scenario.tests[0].testId;
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-describe-'));
    cli.spawn(['worker'], env);
    const ingest = cli.spawn(['ingest', '--test', testId, '--dest', dest, '--no-progress'], env);
    const temporal = locateTool('temporal')!.path;
    const temporalCli = async (command: string) =>
      (await run(temporal, ['workflow', command, '--address', harnessValue('temporalAddress'), '-w', testWorkflowId(testId)])).stdout;
    await waitFor(() => sim.stats().calls.length >= 8 || undefined, 60_000, 'the run to be under way');
    const described = await temporalCli('describe');
    expect(described).toContain(`StaticSummary  "ingest test ${testId} into file://${dest} (reels, clips, videos, transcripts, details, qxscore)"`);
    expect(described).toContain('**Kinds** reels, clips, videos, transcripts, details, qxscore');
    // Where it stands, in the memo (updated per page and every 25 sessions).
    expect(described).toMatch(/Memo +map\[progress:.*ingesting · sessions \d+\/6 · stored \d+ · skipped \d+ · failed \d+ · API requests [1-9]\d*/);
    // The CLI's describe (1.9) prints the static metadata; the current details come from the
    // workflow's metadata query, which the UI and `temporal workflow metadata` show.
    const metadata = await temporalCli('metadata');
    expect(metadata).toMatch(/\*\*ingesting\*\* · sessions \d+\/6/);
    expect(metadata).toMatch(/API requests so far: [1-9]\d*/);
    // Seen what this test is about: the rest of the run would only hold the simulator's budget
    // against the next tests (the ends of runs are the other tests' subject).
    ingest.child.kill('SIGINT');
    expect(await ingest.exited).toBe(130);
    await temporalCli('terminate');
  }, 180_000);

  test("status from a second terminal: a running embedded ingestion's counts, then its summary", async () => {
    const env: NodeJS.ProcessEnv = { ...testEnv(sim) };
    delete env.TEMPORAL_ADDRESS; // the embedded default: the server lives inside `ingest`
    const testId = sim.scenario.tests[1].testId;
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-embedded-status-'));
    sim.resetStats();
    const ingest = cli.spawn(['ingest', '--test', testId, '--dest', 'archive', '--json', '--no-progress'], env, cwd);
    await waitFor(() => sim.stats().calls.filter((c) => c.testId === testId).length >= 12 || undefined, 90_000, 'the embedded run to be under way');
    const during = cli.spawn(['status', '--test', testId, '--json'], env, cwd);
    expect(await during.exited).toBe(0);
    const running = JSON.parse(during.output().stdout);
    expect(running).toMatchObject({ testId, found: true, status: 'RUNNING', paused: false });
    expect(running.progress.sessions.total).toBe(6);
    expect(running.progress.apiRequests).toBeGreaterThan(0);
    // The server's own figures of the API queue, beside the budget.
    expect(running.apiQueue).toMatchObject({
      taskQueue: expect.stringMatching(/-api$/),
      budgetPerMinute: Number(env.UT_RATE_LIMIT_PER_MINUTE),
      dispatchedPerMinute: expect.any(Number),
      waiting: expect.any(Number),
    });

    expect(await ingest.exited).toBe(0);
    const summary = JSON.parse(ingest.output().stdout);
    const after = cli.spawn(['status', '--test', testId], env, cwd);
    expect(await after.exited).toBe(0);
    const text = after.output().stdout;
    expect(text).toMatch(new RegExp(`ut-media-test-${testId} COMPLETED`));
    expect(text).toContain(`6 sessions, ${summary.downloaded} files downloaded`);
    expect(text).toContain(`videos       stored ${summary.counts.video.stored}, skipped ${summary.counts.video.skipped}, failed 0`);
    expect(after.output().stderr).toContain('Reading the embedded state in');
  }, 240_000);

  test('on a cluster: --detach returns at once, Ctrl-C detaches, status --wait follows the run to its exit code', async () => {
    // Nothing here is looked at mid-run but the start: a simulator of its own at 600 requests a
    // minute ends the two runs in seconds instead of the 100 s they took at 60.
    const fast = await startSimulator({
      scenario: {
        ...generateScenario({ seed: 1102, tests: 2, sessions: 6, reels: 1, clipsPerSession: [1, 2], videoBytes: 20_000, clipBytes: 5_000, reelBytes: 10_000 }),
        rateLimit: { limit: 600, windowMs: 60_000 },
        generation: { generatingMs: 30 },
      },
    });
    try {
      await detachAndFollow(fast);
    } finally {
      await fast.close();
    }
  }, 240_000);

  async function detachAndFollow(api: RunningSimulator): Promise<void> {
    const env = testEnv(api);
    cli.spawn(['worker'], env);
    const [detachedTest, interruptedTest] = [api.scenario.tests[0].testId, api.scenario.tests[1].testId];
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-detach-'));

    const detach = cli.spawn(['ingest', '--test', detachedTest, '--dest', dest, '--detach', '--json'], env);
    expect(await detach.exited).toBe(0);
    expect(JSON.parse(detach.output().stdout)).toMatchObject({ testId: detachedTest, workflowId: testWorkflowId(detachedTest), runId: expect.any(String) });
    expect(fs.existsSync(path.join(dest, `test_id=${detachedTest}`, 'manifest.json'))).toBe(false);

    const interrupted = cli.spawn(['ingest', '--test', interruptedTest, '--dest', dest, '--no-progress'], env);
    await waitFor(() => interrupted.output().stderr.includes('ingesting into') || undefined, 60_000, 'the second run to start');
    interrupted.child.kill('SIGINT');
    expect(await interrupted.exited).toBe(130);
    expect(interrupted.output().stderr).toContain(
      `detached; the ingestion goes on in Temporal. Follow it with \`ut-media status --test ${interruptedTest} --wait\``,
    );

    const wait = cli.spawn(['status', '--test', detachedTest, '--test', interruptedTest, '--wait', '--json', '--no-progress'], env);
    expect(await wait.exited).toBe(0);
    const result = JSON.parse(wait.output().stdout);
    expect(result.ok).toBe(true);
    expect(result.tests.map((t: { testId: string; sessions: number }) => [t.testId, t.sessions])).toEqual([
      [detachedTest, 6],
      [interruptedTest, 6],
    ]);
    for (const id of [detachedTest, interruptedTest]) expect(fs.existsSync(path.join(dest, `test_id=${id}`, 'manifest.json'))).toBe(true);
  }
});
