import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { generateScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { testEnv } from '../support/pipeline-fixture';
import { spawnCli } from '../support/processes';

/**
 * `plan` on a cluster whose workers predate it: they fail its workflow task for ever (no such
 * workflow type). The CLI says so after UT_STALL_TIMEOUT_MS, stops the plan and exits 1, without an
 * API request — instead of waiting for ever.
 */
describe('plan against workers without planTestResult', () => {
  let sim: RunningSimulator;
  afterAll(() => sim?.close());

  test('exits 1 naming the cause; the plan is stopped; no API request', async () => {
    sim = await startSimulator({ scenario: generateScenario({ seed: 8701, sessions: 1, reels: 0, clipsPerSession: [0, 0] }) });
    const queue = `ut-media-old-${crypto.randomUUID().slice(0, 8)}`;
    const env = testEnv(sim, { UT_TASK_QUEUE: queue, UT_STALL_TIMEOUT_MS: '3000' });
    const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS! });
    const worker = await Worker.create({ connection, taskQueue: queue, workflowsPath: require.resolve('../support/workflows-before-plan') });
    const running = worker.run();
    try {
      const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-plan-old-'));
      const plan = spawnCli(['plan', '--test', sim.scenario.tests[0].testId, '--dest', dest], env);
      expect(await plan.exited).toBe(1);
      const { stderr } = plan.output();
      expect(stderr).toMatch(/plan of test [0-9a-f-]+ could not run: .*not making progress/);
      expect(stderr).toMatch(/planTestResult/);
      expect(stderr).toMatch(/upgrade them/);
      expect(sim.stats().calls).toEqual([]);
      // The plan was terminated, not left failing its task on the cluster.
      const client = new Client({ connection: await Connection.connect({ address: env.TEMPORAL_ADDRESS! }) });
      let statuses: string[] = [];
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
        statuses = [];
        for await (const w of client.workflow.list({ query: `TaskQueue="${queue}"` })) statuses.push(`${w.type} ${w.status.name}`);
        if (statuses.includes('planTestResult TERMINATED')) break;
      }
      expect(statuses).toEqual(['planTestResult TERMINATED']);
      await client.connection.close();
    } finally {
      worker.shutdown();
      await running;
      await connection.close();
    }
  }, 120_000);
});
