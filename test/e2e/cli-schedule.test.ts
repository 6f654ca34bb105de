import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { harnessValue } from '../support/harness-env';
import { spawnCli } from '../support/processes';

/** `ut-media schedule` creates, lists and deletes a real Temporal Schedule on the dev server. */
describe('ut-media schedule', () => {
  const testId = crypto.randomUUID();
  const env = { TEMPORAL_ADDRESS: harnessValue('temporalAddress'), UT_TASK_QUEUE: 'ut-media-schedule-test' };

  test('create (overlap skip, every 6h), list, delete', async () => {
    const create = spawnCli(['schedule', '--test', testId, '--dest', 'gs://archive-bucket/ut', '--every', '6h', '--json'], env);
    expect(await create.exited).toBe(0);
    const scheduleId = JSON.parse(create.output().stdout.trim()).scheduleId;
    expect(scheduleId).toBe(`ut-media-schedule-${testId}`);

    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    try {
      const described = await new Client({ connection }).schedule.getHandle(scheduleId).describe();
      expect(described.policies.overlap).toBe('SKIP');
      expect(described.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: 'scheduledIngest',
        workflowId: `ut-media-scheduled-${testId}`,
        taskQueue: 'ut-media-schedule-test',
      });
      expect(described.spec.intervals?.[0]?.every).toBe(6 * 3600 * 1000);
    } finally {
      await connection.close();
    }

    // Listing goes through the visibility store, which may lag a moment behind the create.
    let listed: string[] = [];
    for (let i = 0; i < 30 && !listed.includes(scheduleId); i++) {
      const list = spawnCli(['schedule', '--list', '--json'], env);
      expect(await list.exited).toBe(0);
      listed = JSON.parse(list.output().stdout.trim()).schedules;
      if (!listed.includes(scheduleId)) await new Promise((r) => setTimeout(r, 500));
    }
    expect(listed).toContain(scheduleId);

    const del = spawnCli(['schedule', '--delete', scheduleId], env);
    expect(await del.exited).toBe(0);
  });

  test('bad requests exit 2: no mode, a bad interval, a bad destination', async () => {
    for (const args of [
      ['schedule'],
      ['schedule', '--test', testId, '--dest', 'x', '--every', 'often'],
      ['schedule', '--test', testId, '--dest', 'ftp://x', '--every', '1h'],
    ]) {
      const cli = spawnCli(args, env);
      expect(await cli.exited).toBe(2);
    }
  });
});
