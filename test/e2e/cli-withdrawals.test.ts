import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { manifestLineSchema } from '../../activities/manifest-lines';
import type { Manifest } from '../../contract/manifest-types';
import { createPipelineFixture, type PipelineFixture } from '../support/pipeline-fixture';
import { spawnCli } from '../support/processes';

/**
 * `ingest --prune` as users run it (the built CLI, the harness's cluster, one in-process worker):
 * 10 sessions archived, then the API lists only 2 of them. Bad flags are refused before any
 * request; the default --prune-max refuses (exit 1, why, in text and --json); --dry-run previews;
 * --prune-max 100% prunes; a session listed again is unmarked, and a pruned one is archived again
 * beside its tombstone. Videos only: the sessions list is what withdrawals are about.
 */
describe('ut-media ingest --prune', () => {
  let fx: PipelineFixture;
  let archive: string;
  let testId: string;
  let sessionIds: string[];
  /** Listed again while marked withdrawn (before the prune): unmarked, never pruned. */
  let back: string;
  /** Pruned, then listed again: archived anew beside its tombstone. */
  let comeback: string;

  beforeAll(async () => {
    fx = await createPipelineFixture({
      seed: 2207,
      rateLimit: { limit: 6000, windowMs: 60_000 },
      tests: [{ sessions: Array.from({ length: 10 }, () => ({ videoBytes: 1000 })), reels: [] }],
    });
    await fx.startWorkers();
    archive = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-prune-'));
    testId = fx.sim.scenario.tests[0].testId;
    sessionIds = fx.sim.scenario.tests[0].sessions.map((s) => s.sessionId);
    [back, comeback] = sessionIds.slice(2, 4);
    expect((await fx.ingest({ testId, dest: archive, only: ['videos'] })).counts.video.stored).toBe(10);
  });
  afterAll(() => fx?.close());

  const videoOf = (sessionId: string) => path.join(archive, `test_id=${testId}`, `session_id=${sessionId}`, 'session.mp4');
  const readManifest = () => JSON.parse(fs.readFileSync(path.join(archive, `test_id=${testId}`, 'manifest.json'), 'utf8')) as Manifest;
  const cli = async (args: string[]) => {
    const run = spawnCli(['ingest', '--test', testId, '--dest', archive, '--only', 'videos', '--no-progress', ...args], fx.env);
    const code = await run.exited;
    return { code, ...run.output() };
  };
  /** stdout must be exactly one JSON object. */
  const json = (stdout: string) => {
    const lines = stdout.split('\n');
    expect(lines).toHaveLength(2);
    return JSON.parse(lines[0]) as Record<string, unknown> & { withdrawals?: { sessions?: Record<string, unknown> } };
  };

  test('bad --prune-max values, --prune-max without --prune, --prune with --session: exit 2 with the reason, before any API request', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--prune', '--prune-max', '101%'], /--prune-max: a share from 0% to 100% .* not "101%"/],
      [['--prune', '--prune-max', '-1'], /--prune-max: .* not "-1"/],
      [['--prune', '--prune-max', 'abc'], /--prune-max: .* not "abc"/],
      [['--prune-max', '10%'], /--prune-max goes with --prune/],
      [['--prune', '--session', '00000000-0000-4000-8000-000000000001'], /--prune needs the whole session list/],
    ];
    fx.sim.resetStats();
    // Side by side: none may spend a request, so the simulator's log stays empty for all of them.
    const runs = await Promise.all(cases.map(([args]) => cli(args)));
    runs.forEach((run, i) =>
      expect({ args: cases[i][0], code: run.code, stderr: run.stderr }).toEqual({ args: cases[i][0], code: 2, stderr: expect.stringMatching(cases[i][1]) }),
    );
    expect(fx.sim.stats().calls.length + fx.sim.stats().tokenRequests.length).toBe(0);
  });

  test('the API lists 2 of the 10: --prune deletes nothing, exits 1 and says why (text and --json); --dry-run previews it', async () => {
    fx.sim.withdraw(sessionIds.slice(2));
    const text = await cli(['--prune']);
    expect(text.code).toBe(1);
    const why = 'nothing pruned: 8 of 10 archived sessions are withdrawn, more than --prune-max 25% (2) allows';
    expect(text.stdout).toContain(`PRUNE REFUSED: ${why}`);
    for (const id of sessionIds) expect(fs.existsSync(videoOf(id))).toBe(true);
    const marked = readManifest().assets.filter((a) => a.status === 'withdrawn');
    expect(marked.map((a) => a.sessionId).sort()).toEqual(sessionIds.slice(2).sort());

    const asJson = await cli(['--prune', '--json']);
    expect(asJson.code).toBe(1);
    const summary = json(asJson.stdout);
    expect(summary).toMatchObject({ ok: false, exitCode: 1, error: expect.stringContaining(why) });
    expect(summary.withdrawals?.sessions).toMatchObject({ archived: 10, withdrawn: 8, pruned: 0, pruneRefused: expect.stringContaining(why) });
    for (const id of sessionIds) expect(fs.existsSync(videoOf(id))).toBe(true);

    // Dry runs write nothing: side by side.
    const [dryRun, refusedDryRun] = await Promise.all([cli(['--dry-run', '--prune', '--prune-max', '100%', '--json']), cli(['--dry-run', '--prune'])]);
    expect(dryRun.code).toBe(0);
    expect(json(dryRun.stdout)).toMatchObject({ ok: true, prune: { sessions: { wouldPrune: 8, objects: 8 } } });
    expect(refusedDryRun.code).toBe(1);
    expect(refusedDryRun.stdout).toContain(`--prune REFUSED for sessions: ${why}`);
    for (const id of sessionIds) expect(fs.existsSync(videoOf(id))).toBe(true);
  });

  test('--prune-max 100% prunes the withdrawn ones; a session listed again first is unmarked and kept', async () => {
    fx.sim.restore([back]);
    const run = await cli(['--prune', '--prune-max', '100%', '--json']);
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(json(run.stdout).withdrawals?.sessions).toMatchObject({ pruned: 7, withdrawn: 0, archived: 3 });
    const kept = [...sessionIds.slice(0, 2), back];
    for (const id of sessionIds) expect({ id, exists: fs.existsSync(videoOf(id)) }).toEqual({ id, exists: kept.includes(id) });
    const manifest = readManifest();
    expect(manifest.assets.find((a) => a.sessionId === back)).toMatchObject({ status: 'stored' });
    expect(manifest.assets.filter((a) => a.status === 'withdrawn')).toEqual([]);
    expect((manifest.pruned ?? []).map((t) => t.sessionId).sort()).toEqual(sessionIds.slice(3).sort());
  });

  test('a pruned session listed again is archived anew beside its tombstone; manifest.jsonl still loads as one table', async () => {
    fx.sim.restore([comeback]);
    const run = await cli(['--json']);
    expect(run.code).toBe(0);
    expect(json(run.stdout)).toMatchObject({ ok: true, counts: { video: { stored: 4 } }, withdrawals: { sessions: { withdrawn: 0 } } });
    expect(fs.existsSync(videoOf(comeback))).toBe(true);
    const manifest = readManifest();
    expect(manifest.assets.find((a) => a.sessionId === comeback)).toMatchObject({ status: 'stored' });
    expect(manifest.pruned?.find((t) => t.sessionId === comeback)).toMatchObject({ status: 'pruned' });
    const lines = fs
      .readFileSync(path.join(archive, `test_id=${testId}`, 'manifest.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => manifestLineSchema.parse(JSON.parse(line)));
    expect(new Set(lines.map((l) => Object.keys(l).join(','))).size).toBe(1);
    expect(lines.filter((l) => l.session_id === comeback).map((l) => `${l.kind}:${l.status}`)).toEqual(
      expect.arrayContaining(['video:stored', 'session:pruned']),
    );
  });

  test('schedule --prune puts prune and pruneMax in the scheduled workflow input', async () => {
    const run = spawnCli(['schedule', '--test', testId, '--dest', archive, '--every', '6h', '--prune', '--prune-max', '5', '--json'], fx.env);
    expect(await run.exited).toBe(0);
    const scheduleId = (JSON.parse(run.output().stdout.trim()) as { scheduleId: string }).scheduleId;
    const connection = await Connection.connect({ address: fx.settings.temporalAddress! });
    try {
      const handle = new Client({ connection }).schedule.getHandle(scheduleId);
      const described = await handle.describe();
      expect(described.action.type).toBe('startWorkflow');
      const args = (described.action as { args?: unknown[] }).args;
      expect(args?.[0]).toMatchObject({ testId, prune: true, pruneMax: 5 });
      await handle.delete();
    } finally {
      await connection.close();
    }
  });
});
