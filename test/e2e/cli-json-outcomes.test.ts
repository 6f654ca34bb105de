import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateScenario } from '../../simulator';
import { createPipelineFixture, type PipelineFixture } from '../support/pipeline-fixture';
import { spawnCli } from '../support/processes';

/**
 * Issue #17: with --json every command prints exactly one JSON object on stdout, whatever the
 * outcome — success, failed assets, a failed run, bad input — with `ok`, `exitCode` and, on failure,
 * `error` naming the cause. On the harness's cluster with one in-process worker for the whole file.
 */
describe('--json: one object on stdout in every outcome', () => {
  let fx: PipelineFixture;
  let okTest: string;
  let brokenVideoTest: string;
  let archive: string;
  /** A test whose ingestion failed: its destination's bucket does not exist. */
  const failedRunTest = crypto.randomUUID();
  beforeAll(async () => {
    const generated = generateScenario({
      seed: 1717,
      tests: 2,
      sessions: 1,
      reels: 0,
      clipsPerSession: [0, 0],
      productMix: { THINK_OUT_LOUD: 1 },
      videoBytes: 4000,
    });
    okTest = generated.tests[0].testId;
    brokenVideoTest = generated.tests[1].testId;
    fx = await createPipelineFixture({
      ...generated,
      rateLimit: { limit: 600, windowMs: 60_000 },
      generation: { generatingMs: 20 },
      faults: {
        // The first two session lists answered 200 with `sessions: 42`: the plans of the first test below.
        malformedAnswers: [{ operation: 'listSessions', kind: 'wrongType', count: 2 }],
        htmlInsteadOfMedia: [`video:${generated.tests[1].sessions[0].sessionId}`],
      },
    });
    await fx.startWorkers();
    archive = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-json-'));
  });
  afterAll(() => fx?.close());

  /** Runs the CLI; stdout must be exactly one line, an object with `ok` matching the exit code, and `error` when not ok. */
  async function runJson(
    args: string[],
    env: NodeJS.ProcessEnv = fx.env,
    cwd?: string,
  ): Promise<{ code: number | null; json: Record<string, unknown>; stderr: string }> {
    const cli = spawnCli([...args, '--json'], env, cwd);
    const code = await cli.exited;
    const { stdout, stderr } = cli.output();
    const lines = stdout.split('\n');
    expect({ args, lines: lines.length, last: lines[1] }).toEqual({ args, lines: 2, last: '' });
    const json = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(json).toEqual(expect.any(Object));
    expect(Array.isArray(json)).toBe(false);
    expect({ args, ok: json.ok, exitCode: json.exitCode }).toEqual({ args, ok: code === 0, exitCode: code });
    if (code !== 0) expect({ args, error: json.error }).toEqual({ args, error: expect.stringMatching(/\w/) });
    expect(stdout).not.toContain(fx.env.UT_CLIENT_SECRET!);
    expect(stdout).not.toMatch(/X-Amz-|Signature=|Bearer /);
    return { code, json, stderr };
  }

  test('plan: a session list the API answers unusably fails the run; the cause names the step and the answer', async () => {
    // The malformed answers go to the first session lists the simulator serves.
    expect(fx.sim.stats().calls.filter((c) => c.operation === 'listSessions')).toEqual([]);
    const failed = await runJson(['plan', '--test', okTest, '--dest', archive]);
    expect(failed.code).toBe(1);
    expect(failed.json.error).toMatch(
      new RegExp(
        `^plan of test ${okTest} failed: activity listSessionsPage: InvalidResponse: listSessions: the answer does not match the API description: testId is `,
      ),
    );
    // The human output names the same cause instead of "Workflow execution failed".
    const human = spawnCli(['plan', '--test', okTest, '--dest', archive], fx.env);
    expect(await human.exited).toBe(1);
    expect(human.output()).toEqual({
      stdout: '',
      stderr: expect.stringMatching(/^ut-media: plan of test .* failed: activity listSessionsPage: InvalidResponse: /m),
    });

    const unknownTest = crypto.randomUUID();
    const notFound = await runJson(['plan', '--test', unknownTest, '--dest', archive]);
    expect(notFound.code).toBe(1);
    expect(notFound.json.error).toMatch(/activity listSessionsPage: NotFound: listSessions: .*not found \(404\)/);

    const planned = await runJson(['plan', '--test', okTest, '--dest', archive]);
    expect(planned).toMatchObject({ code: 0, json: { ok: true, testId: okTest, sessions: 1 } });
  });

  test('ingest: success, failed assets, a failed run (exit 2: its bucket is missing)', async () => {
    const [stored, brokenVideo, missingBucket] = await Promise.all([
      runJson(['ingest', '--test', okTest, '--dest', archive, '--no-progress']),
      runJson(['ingest', '--test', brokenVideoTest, '--dest', archive, '--only', 'videos', '--no-progress']),
      runJson(['ingest', '--test', failedRunTest, '--dest', 'gs://ut-media-no-such-bucket/x', '--no-progress']),
    ]);
    expect(stored).toMatchObject({ code: 0, json: { ok: true, testId: okTest, failed: 0 } });
    expect(brokenVideo).toMatchObject({
      code: 1,
      json: { ok: false, failed: 1, failures: [{ kind: 'video', reason: expect.stringMatching(/^InvalidMedia: /) }] },
    });
    expect(brokenVideo.json.error).toMatch(/^1 asset failed/);
    expect(missingBucket.code).toBe(2);
    expect(missingBucket.json.error).toMatch(/^ingestion failed: activity \w+: DestinationUnavailable: gs:\/\/ut-media-no-such-bucket is not available/);
  });

  // After the ingestions above.
  test('status: a completed run, a failed run with its cause, no run, a manifest read without Temporal', async () => {
    const [completed, failed, unknown] = await Promise.all([okTest, failedRunTest, crypto.randomUUID()].map((id) => runJson(['status', '--test', id])));
    expect(completed).toMatchObject({ code: 0, json: { ok: true, testId: okTest, status: 'COMPLETED' } });
    expect(failed).toMatchObject({ code: 1, json: { ok: false, status: 'FAILED' } });
    expect(failed.json.error).toMatch(/FAILED: activity \w+: DestinationUnavailable: /);
    expect(unknown).toMatchObject({ code: 1, json: { ok: false, found: false, error: expect.stringMatching(/^no ingestion of test .* found$/) } });
    const human = spawnCli(['status', '--test', failedRunTest], fx.env);
    expect(await human.exited).toBe(1);
    expect(human.output().stdout).toMatch(/^CAUSE activity \w+: DestinationUnavailable: /m);

    // No Temporal state at all: the manifest at --dest.
    const noTemporal: NodeJS.ProcessEnv = { ...fx.env };
    delete noTemporal.TEMPORAL_ADDRESS;
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-json-status-'));
    const [fromManifest, noManifest] = await Promise.all(
      [okTest, crypto.randomUUID()].map((id) => runJson(['status', '--test', id, '--dest', archive], noTemporal, folder)),
    );
    expect(fromManifest).toMatchObject({ code: 0, json: { ok: true, found: true } });
    expect(noManifest).toMatchObject({ code: 1, json: { ok: false, found: false, error: expect.stringMatching(/^no manifest at /) } });
  });

  // After the ingestion of okTest above.
  test('verify: all good, a missing manifest, an object that differs, one that is gone', async () => {
    const [good, noManifest] = await Promise.all([
      runJson(['verify', '--test', okTest, '--dest', archive]),
      runJson(['verify', '--test', crypto.randomUUID(), '--dest', archive]),
    ]);
    expect(good).toMatchObject({ code: 0, json: { ok: true, testId: okTest, problems: [] } });
    expect(noManifest).toMatchObject({ code: 1, json: { ok: false, error: expect.stringMatching(/^no manifest at file:\/\//) } });
    const session = path.join(archive, `test_id=${okTest}`, `session_id=${fx.sim.scenario.tests[0].sessions[0].sessionId}`, 'session.mp4');
    fs.appendFileSync(session, 'x');
    const differs = await runJson(['verify', '--test', okTest, '--dest', archive]);
    expect(differs).toMatchObject({
      code: 1,
      json: { ok: false, problems: [{ problem: expect.stringMatching(/^bytes /) }], error: expect.stringMatching(/^1 of \d+ stored objects differ/) },
    });
    fs.rmSync(session);
    const missing = await runJson(['verify', '--test', okTest, '--dest', archive]);
    expect(missing).toMatchObject({ code: 1, json: { ok: false, problems: [{ problem: 'missing' }] } });
  });

  test('bad input, each command: exit 2, the mistake in `error`, no request', async () => {
    const before = fx.sim.stats().calls.length;
    const cases: Array<[string[], RegExp]> = [
      [['ingest', '--test', 'not-a-uuid', '--dest', '/tmp/x'], /--test: .*UUID/],
      [['ingest', '--test', '3fa85f64-5717-4562-b3fc-2c963f66afa6'], /required option '--dest <uri>'/],
      [['plan', '--test', '3fa85f64-5717-4562-b3fc-2c963f66afa6', '--dest', '/tmp/x', '--only', 'photos'], /--only: .*photos/],
      [['status', '--test', 'not-a-uuid'], /--test: .*UUID/],
      [['verify', '--test', '3fa85f64-5717-4562-b3fc-2c963f66afa6', '--dest', 'ftp://x/y'], /--dest: .*ftp/],
      [['verify', '--test', 'not-a-uuid', '--dest', '/tmp/x'], /--test: .*UUID/],
    ];
    const results = await Promise.all(cases.map(([args]) => runJson(args)));
    results.forEach((result, i) => expect(result).toMatchObject({ code: 2, json: { ok: false, error: expect.stringMatching(cases[i][1]) } }));
    expect(fx.sim.stats().calls.length).toBe(before);
  });
});
