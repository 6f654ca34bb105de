import { startTemporalDevServer, type RunningDevServer } from '../../infra/temporal-dev-server';
import { generateScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { testEnv } from '../support/pipeline-fixture';
import { spawnCli, type CliProcess } from '../support/processes';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A Temporal server nobody prepared for ut-media (started without its search attributes): `ingest`
 * registers them where the cluster allows it, says so, and the run completes.
 */
describe('a cluster without the search attributes', () => {
  let server: RunningDevServer;
  let sim: RunningSimulator;
  const processes: CliProcess[] = [];
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await sim?.close();
    await server?.stop();
  });

  test('ingest registers them and the run completes; the next run finds them', async () => {
    server = await startTemporalDevServer({ searchAttributes: false });
    sim = await startSimulator({ scenario: { ...generateScenario({ seed: 8601, sessions: 2, reels: 1, clipsPerSession: [0, 1] }), rateLimit: { limit: 600, windowMs: 60_000 }, generation: { generatingMs: 20 } } });
    const env = testEnv(sim, { TEMPORAL_ADDRESS: server.address });
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-unprepared-'));
    const worker = spawnCli(['worker'], env);
    processes.push(worker);
    const testId = sim.scenario.tests[0].testId;
    const first = spawnCli(['ingest', '--test', testId, '--dest', dest, '--json', '--no-progress'], env);
    processes.push(first);
    const code = await first.exited;
    expect({ code, stderr: code === 0 ? '' : first.output().stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.output().stderr).toMatch(/Registered the search attributes UtTestId, UtSessionId in namespace "default"/);
    const second = spawnCli(['ingest', '--test', testId, '--dest', dest, '--json', '--no-progress'], env);
    processes.push(second);
    expect(await second.exited).toBe(0);
    expect(second.output().stderr).not.toMatch(/Registered the search attributes/);
    worker.child.kill('SIGTERM');
    await worker.exited;
    fs.rmSync(dest, { recursive: true, force: true });
  }, 180_000);
});
