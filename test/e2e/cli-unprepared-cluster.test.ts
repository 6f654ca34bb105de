import { startTemporalDevServer, type RunningDevServer } from '../../infra/temporal-dev-server';
import { generateScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { testEnv } from '../support/pipeline-fixture';
import { ProcessGroup } from '../support/processes';
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
  const cli = new ProcessGroup();
  afterAll(async () => {
    await cli.killAll();
    await sim?.close();
    await server?.stop();
  });

  test('ingest registers them and the run completes; the next run finds them', async () => {
    server = await startTemporalDevServer({ searchAttributes: false });
    sim = await startSimulator({
      scenario: {
        ...generateScenario({ seed: 8601, sessions: 2, reels: 1, clipsPerSession: [0, 1] }),
        rateLimit: { limit: 600, windowMs: 60_000 },
        generation: { generatingMs: 20 },
      },
    });
    const env = testEnv(sim, { TEMPORAL_ADDRESS: server.address });
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-unprepared-'));
    const worker = cli.spawn(['worker'], env);
    const testId = sim.scenario.tests[0].testId;
    const first = cli.spawn(['ingest', '--test', testId, '--dest', dest, '--json', '--no-progress'], env);
    const code = await first.exited;
    expect({ code, stderr: code === 0 ? '' : first.output().stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.output().stderr).toMatch(/Registered the search attributes UtTestId, UtSessionId in namespace "default"/);
    const second = cli.spawn(['ingest', '--test', testId, '--dest', dest, '--json', '--no-progress'], env);
    expect(await second.exited).toBe(0);
    expect(second.output().stderr).not.toMatch(/Registered the search attributes/);
    worker.child.kill('SIGTERM');
    await worker.exited;
    fs.rmSync(dest, { recursive: true, force: true });
  }, 180_000);

  test('a cluster that refuses them: exit 2 before any API request, naming each attribute and the command that creates it', async () => {
    // SQL visibility has ten Keyword columns: a cluster whose ten are taken refuses ours, as a
    // cluster without operator rights for this client would.
    const taken = Array.from({ length: 10 }, (_, i) => ['--search-attribute', `OtherTeam${i}=Keyword`]).flat();
    const full = await startTemporalDevServer({ searchAttributes: false, extraArgs: taken });
    try {
      sim ??= await startSimulator({
        scenario: { ...generateScenario({ seed: 8601, sessions: 2, reels: 1, clipsPerSession: [0, 1] }), rateLimit: { limit: 600, windowMs: 60_000 } },
      });
      sim.resetStats();
      const env = testEnv(sim, { TEMPORAL_ADDRESS: full.address });
      const ingest = cli.spawn(
        ['ingest', '--test', sim.scenario.tests[0].testId, '--dest', fs.mkdtempSync(path.join(os.tmpdir(), 'ut-refused-')), '--no-progress'],
        env,
      );
      expect(await ingest.exited).toBe(2);
      const { stderr } = ingest.output();
      expect(stderr).toMatch(/lacks the search attributes ut-media sets \(UtTestId, UtSessionId\) and this client may not create them \(.+\)/);
      expect(stderr).toContain('temporal operator search-attribute create --namespace default --name UtTestId --type Keyword');
      expect(stderr).toContain('temporal operator search-attribute create --namespace default --name UtSessionId --type Keyword');
      expect(sim.stats().calls.length + sim.stats().tokenRequests.length).toBe(0);
    } finally {
      await full.stop();
    }
  }, 180_000);
});
