import { NativeConnection } from '@temporalio/worker';
import { startTemporalDevServer, type RunningDevServer } from '../../infra/temporal-dev-server';
import { choosePacing, workerPacing } from '../../workers/api-pacing';
import { harnessValue } from '../support/harness-env';

/**
 * The API queue's pacing follows its partitions: the harness's server (one partition, as ut-media
 * starts its own) lets the server enforce the budget; a server started with its defaults (4
 * partitions) has each worker pace itself. Figures of whole runs: `npm run bench -- --only cluster`.
 */
describe('pacing of the API queue', () => {
  let defaults: RunningDevServer | undefined;
  afterAll(async () => {
    await defaults?.stop();
  });

  test('one partition: the server limit, exact for any number of workers', async () => {
    const connection = await NativeConnection.connect({ address: harnessValue('temporalAddress') });
    try {
      const pacing = await choosePacing(connection, 'default', 'ut-media-pacing-api', 10, 1);
      expect(pacing).toMatchObject({ by: 'server', partitions: 1, options: { maxTaskQueueActivitiesPerSecond: 9 / 60 } });
    } finally {
      await connection.close();
    }
  });

  test("a server's default 4 partitions: each worker paces itself at its share, and says why", async () => {
    defaults = await startTemporalDevServer({ serverDefaults: true });
    const connection = await NativeConnection.connect({ address: defaults.address });
    try {
      const pacing = await choosePacing(connection, 'default', 'ut-media-pacing-api', 10, 1);
      expect(pacing).toMatchObject({ by: 'worker', partitions: 4, options: { maxActivitiesPerSecond: 9 / 60 } });
      expect(pacing.by === 'worker' && pacing.notice).toMatch(/has 4 partitions .* paces itself at 9\.00 requests\/min .*matching\.numTaskqueueReadPartitions/);
    } finally {
      await connection.close();
    }
  });

  test('UT_API_PACING forces either: server pacing with no lookup, or worker pacing on one partition', async () => {
    const connection = await NativeConnection.connect({ address: harnessValue('temporalAddress') });
    try {
      expect(await choosePacing(connection, 'default', 'ut-media-pacing-api', 10, 1, 'worker')).toMatchObject({
        by: 'worker',
        options: { maxActivitiesPerSecond: 9 / 60 },
        notice: expect.stringMatching(/^UT_API_PACING=worker; this worker paces itself/),
      });
      expect(await choosePacing(connection, 'default', 'ut-media-pacing-api', 10, 1, 'server')).toMatchObject({
        by: 'server',
        options: { maxTaskQueueActivitiesPerSecond: 9 / 60 },
      });
    } finally {
      await connection.close();
    }
  });

  test('shares: each of k workers takes (budget less its margin, less one per extra worker) / k, never below half the budget in all', () => {
    const perMinute = (rate: number, k: number) =>
      (workerPacing(rate, 4, k, 'q-api').options as { maxActivitiesPerSecond: number }).maxActivitiesPerSecond * 60 * k;
    expect(perMinute(10, 1)).toBeCloseTo(9);
    expect(perMinute(10, 2)).toBeCloseTo(8);
    expect(perMinute(10, 8)).toBeCloseTo(5);
    expect(perMinute(600, 3)).toBeCloseTo(583);
  });
});
