import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateScenario } from '../../simulator';
import { API_PRIORITY } from '../../workflows/activity-proxies';
import { reelsWorkflowId, testWorkflowId } from '../../contract/task-queues';
import { createPipelineFixture, runOptions, type PipelineFixture } from '../support/pipeline-fixture';

/**
 * The budget serves a generation check ahead of videos and transcripts only when the worker expects
 * the generation done; a check on a blind backoff waits its turn among them (bench row 5 shows the
 * request it saves at 10/min). Read from the reel child's history: the priority each detail request
 * was scheduled with.
 */
describe('generation checks: due ahead of the rest, blind ones in turn', () => {
  let fx: PipelineFixture;
  const scenario = generateScenario({ seed: 8201, tests: 2, sessions: 1, reels: 1, clipsPerSession: [0, 0], productMix: { THINK_OUT_LOUD: 1 } });

  beforeAll(async () => {
    // A backoff starting far below the generation time: the first run checks blind several times
    // before it learns (50, 100, 200, 400, 800 ms, plus what each check costs: up to 0.7 s on a
    // loaded machine); the maximum is above the generation, so advice is followed.
    fx = await createPipelineFixture(
      { ...scenario, rateLimit: { limit: 600, windowMs: 60_000 }, generation: { generatingMs: 3000 } },
      { UT_POLL_INITIAL_DELAY_MS: '50', UT_POLL_MAX_DELAY_MS: '10000' },
    );
    await fx.startWorkers();
  });
  afterAll(() => fx.close());

  async function reelRequestPriorities(testId: string): Promise<number[]> {
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'gen-priority-'));
    const workflowId = `${testWorkflowId(testId)}-priority`;
    const handle = await fx.client.workflow.start('ingestTestResult', {
      taskQueue: fx.settings.taskQueue,
      workflowId,
      args: [{ testId, dest, only: ['reels'], options: runOptions(fx.settings) }],
    });
    expect(await handle.result()).toMatchObject({ failed: 0, counts: { reel: { stored: 1 } } });
    const history = await fx.client.workflow.getHandle(reelsWorkflowId(workflowId, dest)).fetchHistory();
    return (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => a?.activityType?.name === 'fetchReel')
      .map((a) => Number(a!.priority?.priorityKey));
  }

  test('a fresh worker checks blind (fill priority); once it has seen a generation end, its checks are due', async () => {
    const [first, second] = fx.sim.scenario.tests.map((t) => t.testId);
    const blind = await reelRequestPriorities(first);
    expect(blind.length).toBeGreaterThanOrEqual(3);
    expect(blind).toEqual([API_PRIORITY.unlocks, ...blind.slice(1).map(() => API_PRIORITY.fill)]);

    const learned = await reelRequestPriorities(second);
    expect(learned[0]).toBe(API_PRIORITY.unlocks);
    // Advised to check when the estimate says done; a check past the estimate is a guess again.
    expect(learned[1]).toBe(API_PRIORITY.due);
    expect(learned.length).toBeLessThan(blind.length);
  });
});
