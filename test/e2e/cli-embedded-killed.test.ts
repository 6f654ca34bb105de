import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isRunning, ownerFile } from '../../infra/dev-server-owner';
import { freePort } from '../../infra/net';
import { locateTool } from '../../scripts/tools';
import { generateScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { expectedAssets } from '../support/expectations';
import { testEnv } from '../support/pipeline-fixture';
import { ProcessGroup, waitFor } from '../support/processes';

/**
 * `kill -9` of an embedded `ingest` (the OOM killer, a job's timeout): its dev server has a process
 * group of its own and outlives it, on the folder's database, with no worker. The next `ingest` in
 * the folder must stop that server before starting its own on the same file, then finish the run.
 */
describe('an embedded ingest killed with SIGKILL', () => {
  let sim: RunningSimulator;
  let cwd: string;
  let orphan: number | undefined;
  const cli = new ProcessGroup();
  beforeAll(async () => {
    // 300 requests a minute: a run lasts long enough to be killed in the middle.
    sim = await startSimulator({
      scenario: {
        ...generateScenario({ seed: 9101, sessions: 4, reels: 1, clipsPerSession: [1, 2], productMix: { THINK_OUT_LOUD: 1 } }),
        rateLimit: { limit: 300, windowMs: 60_000 },
        generation: { generatingMs: 200 },
      },
    });
  });
  afterAll(async () => {
    await cli.killAll();
    if (orphan && isRunning(orphan)) process.kill(orphan, 'SIGKILL');
    await sim?.close();
    if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
  });

  test('the next ingest in the folder stops the server it left, resumes the run and stores every asset', async () => {
    const testId = sim.scenario.tests[0].testId;
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-killed-'));
    const env: NodeJS.ProcessEnv = testEnv(sim);
    delete env.TEMPORAL_ADDRESS;
    const args = ['ingest', '--test', testId, '--dest', 'archive', '--json', '--no-progress'];
    const db = path.join(cwd, '.ut-media', 'temporal.db');

    const first = cli.spawn(args, env, cwd);
    await waitFor(
      () => fs.existsSync(path.join(cwd, '.ut-media', 'running.json')) && sim.stats().calls.length >= 4,
      120_000,
      'the embedded run to be under way',
    );
    const { serverPid } = JSON.parse(fs.readFileSync(ownerFile(db), 'utf8')) as { serverPid: number };
    orphan = serverPid;
    first.child.kill('SIGKILL');
    await first.exited;
    // What makes this test needed: the server outlives its owner. (It may still die soon after, of
    // SIGPIPE, if it writes to the stderr pipe its owner held; the next test makes an orphan that lives.)
    expect(isRunning(serverPid)).toBe(true);

    const second = cli.spawn(args, env, cwd);
    const code = await second.exited;
    const { stdout, stderr } = second.output();
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    if (stderr.includes('Stopped the Temporal dev server'))
      expect(stderr).toContain(`Stopped the Temporal dev server (pid ${serverPid}) a killed ut-media had left running`);
    expect(isRunning(serverPid)).toBe(false);
    expect(JSON.parse(stdout.trim())).toMatchObject({ ok: true, testId, failures: [] });

    for (const asset of expectedAssets(sim, testId).filter((a) => a.digest)) {
      const file = path.join(cwd, 'archive', ...asset.relativePath.split('/'));
      const md5 = crypto.createHash('md5').update(fs.readFileSync(file)).digest('base64');
      expect({ path: asset.relativePath, md5 }).toEqual({ path: asset.relativePath, md5: asset.digest!.md5 });
    }
    // The second run's server ended with it, and so did its record.
    expect(fs.existsSync(ownerFile(db))).toBe(false);
    expect(fs.existsSync(path.join(cwd, '.ut-media', 'running.json'))).toBe(false);
  }, 300_000);

  test("a server a dead owner left on the folder's database (one that did not die of a broken pipe) is stopped by the next ingest, which says so", async () => {
    const testId = sim.scenario.tests[0].testId;
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-orphan-'));
    const db = path.join(folder, '.ut-media', 'temporal.db');
    fs.mkdirSync(path.dirname(db));
    const port = await freePort();
    const left = spawn(
      locateTool('temporal')!.path,
      ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', db, '--log-level', 'error'],
      { stdio: 'ignore', detached: true },
    );
    const leftEnded = new Promise<'ended'>((resolve) => left.once('exit', () => resolve('ended')));
    const owner = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((r) => owner.once('exit', r));
    fs.writeFileSync(ownerFile(db), JSON.stringify({ ownerPid: owner.pid, serverPid: left.pid, address: `127.0.0.1:${port}` }));
    const env: NodeJS.ProcessEnv = testEnv(sim);
    delete env.TEMPORAL_ADDRESS;
    try {
      const run = cli.spawn(['ingest', '--test', testId, '--dest', 'archive', '--json', '--no-progress', '--only', 'reels'], env, folder);
      const code = await run.exited;
      expect({ code, stderr: code === 0 ? '' : run.output().stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.output().stderr).toContain(`Stopped the Temporal dev server (pid ${left.pid}) a killed ut-media had left running on ./.ut-media/`);
      // Stopped by that ingest (it shuts down on SIGTERM and exits 0).
      expect(await Promise.race([leftEnded, new Promise((r) => setTimeout(() => r('still running'), 20_000))])).toBe('ended');
    } finally {
      left.kill('SIGKILL');
      fs.rmSync(folder, { recursive: true, force: true });
    }
  }, 300_000);

  test('the embedded server killed under a running ingest: it stops waiting at once, says how to resume, and the next ingest finishes the run', async () => {
    const testId = sim.scenario.tests[0].testId;
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-server-killed-'));
    const env: NodeJS.ProcessEnv = testEnv(sim);
    delete env.TEMPORAL_ADDRESS;
    const args = ['ingest', '--test', testId, '--dest', 'archive', '--json', '--no-progress'];
    const db = path.join(folder, '.ut-media', 'temporal.db');
    try {
      sim.resetStats();
      const first = cli.spawn(args, env, folder);
      await waitFor(
        () => fs.existsSync(path.join(folder, '.ut-media', 'running.json')) && sim.stats().calls.length >= 4,
        120_000,
        'the embedded run to be under way',
      );
      const { serverPid } = JSON.parse(fs.readFileSync(ownerFile(db), 'utf8')) as { serverPid: number };
      process.kill(serverPid, 'SIGKILL');
      expect(await first.exited).toBe(1);
      expect(first.output().stdout).toMatch(
        /the embedded Temporal server has ended; the run is paused in .\/\.ut-media\/: run the same `ut-media ingest` here again to resume it/,
      );

      const second = cli.spawn(args, env, folder);
      const code = await second.exited;
      expect({ code, stderr: code === 0 ? '' : second.output().stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(second.output().stdout.trim())).toMatchObject({ ok: true, testId, failures: [] });
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  }, 300_000);
});
