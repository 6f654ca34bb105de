import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { testEnv } from '../support/pipeline-fixture';
import { spawnCli } from '../support/processes';

/** The `ut-media ingest` command as users run it: exit codes, messages, --json, the embedded default. */
describe('ut-media ingest', () => {
  let sim: RunningSimulator;
  let testId: string;
  beforeAll(async () => {
    sim = await startSimulator({
      scenario: {
        ...generateScenario({ seed: 6301, sessions: 4, reels: 1, clipsPerSession: [0, 2] }),
        rateLimit: { limit: 600, windowMs: 60_000 },
        generation: { generatingMs: 20 },
      },
    });
    testId = sim.scenario.tests[0].testId;
  });
  afterAll(() => sim.close());

  /** Embedded mode (no TEMPORAL_ADDRESS), so a mistake would otherwise start a dev server and call the API. */
  function embeddedEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...testEnv(sim), ...overrides };
    delete env.TEMPORAL_ADDRESS;
    return env;
  }

  const badInputs: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['a malformed test UUID', ['--test', 'not-a-uuid', '--dest', '/tmp/x'], {}, /--test: .*UUID/],
    ['a malformed session UUID', ['--session', '1234'], {}, /--session: .*UUID/],
    ['an unknown destination scheme', ['--dest', 'ftp://bucket/prefix'], {}, /--dest: .*ftp/],
    [
      'an s3 bucket that does not exist',
      ['--dest', 's3://ut-media-no-such-bucket/archive'],
      {},
      /s3:\/\/ut-media-no-such-bucket is not available: the bucket does not exist/,
    ],
    ['an unknown asset kind', ['--only', 'videos,photos'], {}, /--only: .*photos/],
    ['missing credentials', [], { UT_CLIENT_ID: '', UT_CLIENT_SECRET: '' }, /missing API credentials.*UT_CLIENT_ID/],
    ['a bad rate limit', [], { UT_RATE_LIMIT_PER_MINUTE: 'fast' }, /UT_RATE_LIMIT_PER_MINUTE must be a number/],
    [
      'a malformed Azure container name',
      ['--dest', 'az://Research_Archive/usertesting'],
      {},
      /--dest: .*container name "Research_Archive" must use only lowercase letters/,
    ],
    [
      'a missing Azure container',
      ['--dest', 'az://ut-media-no-such-container/x'],
      {},
      /--dest: az:\/\/ut-media-no-such-container is not available: the container does not exist/,
    ],
    ['az:// without credentials', ['--dest', 'az://archive'], { AZURE_STORAGE_CONNECTION_STRING: '' }, /--dest: az:\/\/ needs AZURE_STORAGE_CONNECTION_STRING/],
    [
      'a missing bucket',
      ['--dest', 'gs://ut-media-no-such-bucket/x'],
      {},
      /--dest: gs:\/\/ut-media-no-such-bucket is not available: the bucket does not exist/,
    ],
  ];
  test.each(badInputs)('%s: exit 2, a clear message, zero requests at the simulator', async (_what, args, envOverrides, message) => {
    sim.resetStats();
    const base = ['ingest', '--test', testId, '--dest', path.join(os.tmpdir(), 'never-written')];
    const merged = [...base];
    for (let i = 0; i < args.length; i += 2) {
      const at = merged.indexOf(args[i]);
      if (at >= 0) merged[at + 1] = args[i + 1];
      else merged.push(args[i], args[i + 1]);
    }
    // A folder of its own: a run that wrongly started would not leave its embedded state in the project.
    const cli = spawnCli(merged, embeddedEnv(envOverrides), fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-bad-input-')));
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toMatch(message);
    const stats = sim.stats();
    expect(stats.calls.length + stats.tokenRequests.length).toBe(0);
  });

  test('embedded default: a local dev server and worker do the whole job; --json prints only the summary', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-cli-'));
    // plan first: listing requests only, and what the ingestion then spends, within 5 %.
    sim.resetStats();
    const plan = spawnCli(['plan', '--test', testId, '--dest', 'archive', '--json'], embeddedEnv(), cwd);
    expect(await plan.exited).toBe(0);
    const planned = JSON.parse(plan.output().stdout.trim());
    expect(planned).toMatchObject({ testId, sessions: 4, ratePerMinute: 600 });
    expect(planned.estimatedSeconds).toBe(Math.ceil((planned.apiRequests * 60) / 600));
    expect(sim.stats().calls.every((c) => ['listSessions', 'listReels', 'listClips'].includes(c.operation))).toBe(true);
    const dryRun = spawnCli(['ingest', '--test', testId, '--dest', 'archive', '--dry-run'], embeddedEnv(), cwd);
    expect(await dryRun.exited).toBe(0);
    expect(dryRun.output().stdout).toMatch(new RegExp(`API requests: ${planned.apiRequests} \\(session pages 1, reel list 1`));
    expect(fs.existsSync(path.join(cwd, 'archive'))).toBe(false);

    sim.resetStats();
    const cli = spawnCli(['ingest', '--test', testId, '--dest', 'archive', '--json'], embeddedEnv(), cwd);
    const code = await cli.exited;
    const { stdout, stderr } = cli.output();
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const spent = sim.stats().calls.length;
    expect(Math.abs(planned.apiRequests - spent) / spent).toBeLessThanOrEqual(0.05);
    const summary = JSON.parse(stdout); // --json: nothing else on stdout
    expect(summary).toMatchObject({ ok: true, testId, dest: `file://${path.join(cwd, 'archive')}`, failures: [] });
    expect(fs.existsSync(path.join(cwd, 'archive', `test_id=${testId}`, 'manifest.json'))).toBe(true);
    expect(fs.existsSync(path.join(cwd, '.ut-media', 'temporal.db'))).toBe(true);

    // verify: all good, then a corrupted and a deleted object are named, exit 1.
    const verify = (args: string[] = []) => spawnCli(['verify', '--test', testId, '--dest', 'archive', ...args], embeddedEnv(), cwd);
    const clean = verify(['--json']);
    expect(await clean.exited).toBe(0);
    const report = JSON.parse(clean.output().stdout.trim());
    expect(report).toMatchObject({ ok: true, problems: [] });
    expect(report.checked).toBeGreaterThan(3);
    const session = sim.scenario.tests[0].sessions.find((s) => s.productType !== 'SURVEY')!;
    const video = path.join(cwd, 'archive', `test_id=${testId}`, `session_id=${session.sessionId}`, 'session.mp4');
    fs.appendFileSync(video, 'x');
    const reel = path.join(cwd, 'archive', `test_id=${testId}`, 'highlight_reels', `${sim.scenario.tests[0].reels[0].uuid}.mp4`);
    fs.rmSync(reel);
    const broken = verify();
    expect(await broken.exited).toBe(1);
    expect(broken.output().stdout).toMatch(new RegExp(`DIFFERS file://.*session_id=${session.sessionId}/session.mp4: bytes`));
    expect(broken.output().stdout).toMatch(/DIFFERS file:\/\/.*highlight_reels\/.*\.mp4: missing/);
  }, 180_000);
});
