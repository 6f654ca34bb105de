import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTemporalDevServer, type RunningDevServer } from '../../infra/temporal-dev-server';
import { generateScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { expectedAssets } from '../support/expectations';
import { testEnv } from '../support/pipeline-fixture';
import { ProcessGroup, waitFor } from '../support/processes';

/**
 * The Temporal server stopped mid-run and started again on its state file (the same port): the
 * worker and the waiting `ingest` reconnect, the run goes on from its history and ends with every
 * asset once and whole.
 */
const OUTAGE_MS = 26_000;
const scenario = generateScenario({ seed: 8401, sessions: 8, reels: 2, clipsPerSession: [0, 2], productMix: { THINK_OUT_LOUD: 2, SURVEY: 1 } });

describe('a Temporal server restart mid-run', () => {
  let sim: RunningSimulator;
  let server: RunningDevServer | undefined;
  let work: string;
  const cli = new ProcessGroup();
  afterAll(async () => {
    await cli.killAll();
    await server?.stop();
    await sim?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('nothing lost, nothing twice', async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-restart-'));
    const dbFilename = path.join(work, 'temporal.db');
    server = await startTemporalDevServer({ dbFilename });
    // The restart must come back on the same address, where the worker and ingest reconnect.
    const port = Number(server.address.split(':').pop());
    sim = await startSimulator({ scenario: { ...scenario, rateLimit: { limit: 120, windowMs: 60_000 }, generation: { generatingMs: 500 } } });
    const testId = sim.scenario.tests[0].testId;
    const dest = path.join(work, 'archive');
    const env = testEnv(sim, { TEMPORAL_ADDRESS: server.address, UT_HEARTBEAT_TIMEOUT_MS: '3000' });
    const worker = cli.spawn(['worker'], env);
    const ingest = cli.spawn(['ingest', '--test', testId, '--dest', dest, '--json', '--no-progress'], env);

    await waitFor(() => sim.stats().calls.length >= 12, 120_000, 'a third of the requests');
    await server.stop();
    server = undefined;
    const callsWhileDown = sim.stats().calls.length;
    // Down longer than the client's own gRPC retries last (10 attempts, about 20 s with jitter):
    // `ingest` must wait for the server itself, not die with UNAVAILABLE.
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    server = await startTemporalDevServer({ dbFilename, port });

    const code = await ingest.exited;
    const { stdout, stderr } = ingest.output();
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toMatchObject({ ok: true, failures: [] });
    expect(sim.stats().calls.length).toBeGreaterThan(callsWhileDown);
    expect(stderr).toContain('the Temporal server does not answer; waiting up to');
    expect(stderr).toContain('the Temporal server answers again');

    for (const asset of expectedAssets(sim, testId)) {
      if (!asset.digest) continue;
      const body = fs.readFileSync(path.join(dest, ...asset.relativePath.split('/')));
      expect({ path: asset.relativePath, md5: crypto.createHash('md5').update(body).digest('base64') }).toEqual({
        path: asset.relativePath,
        md5: asset.digest.md5,
      });
    }
    // Each media object fetched once: the restart redid no finished download.
    const gets = sim.stats().media.filter((m) => m.method === 'GET' && m.status === 200 && m.completed);
    expect(new Set(gets.map((m) => m.key)).size).toBe(gets.length);
    expect(fs.existsSync(path.join(dest, '.ut-media-tmp')) ? fs.readdirSync(path.join(dest, '.ut-media-tmp')) : []).toEqual([]);
    worker.child.kill('SIGTERM');
    await worker.exited;
  }, 300_000);
});
