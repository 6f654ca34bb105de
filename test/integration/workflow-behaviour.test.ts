import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { generateScenario } from '../../simulator';
import type { ProgressSnapshot } from '../../contract/asset-types';
import { progressQuery } from '../../contract/progress-query';
import { CreateMultipartUploadCommand, HeadObjectCommand, ListMultipartUploadsCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { createGcsClient, openDestination, parseDestination } from '../../storage';
import { readAll } from '../support/generated-source';
import { harnessValue } from '../support/harness-env';
import { newTestBucket, testS3Client } from '../support/s3';
import { createPipelineFixture, runOptions, type PipelineFixture } from '../support/pipeline-fixture';

/** Workflow rules on the real dev server: input validation, polling bounds, deadline, incremental reels. */
describe('ingestTestResult behaviour', () => {
  let fx: PipelineFixture;
  let testId: string;
  const scenario = generateScenario({ seed: 8101, sessions: 3, reels: 2, clipsPerSession: [1, 2], productMix: { THINK_OUT_LOUD: 1 } });
  const failingClip = scenario.tests[0].sessions[0].clips[0].uuid!;

  beforeAll(async () => {
    fx = await createPipelineFixture({
      ...scenario,
      rateLimit: { limit: 600, windowMs: 60_000 },
      generation: { generatingMs: 20 },
      faults: { alwaysError: [failingClip] },
    });
    testId = fx.sim.scenario.tests[0].testId;
    await fx.startWorkers();
  });
  afterAll(() => fx.close());
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'wf-'));

  test('a bad input fails the run at once, naming the field, before any API request', async () => {
    fx.sim.resetStats();
    const error = await fx.ingest({ testId: 'nope', dest: tmp(), only: ['reels', 'photos'] }).catch((e) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(String(error.cause?.message)).toMatch(/testId: testId must be a UUID.*only: unknown asset kind "photos"/);
    expect(fx.sim.stats().calls).toHaveLength(0);
  });

  test('(before any generation started) a reel still generating at the deadline is failed with the reason; the progress query reports it', async () => {
    const { client, settings } = fx;
    const handle = await client.workflow.start('ingestTestResult', {
      taskQueue: settings.taskQueue,
      workflowId: `deadline-${Date.now()}`,
      args: [{ testId, dest: tmp(), only: 'reels', options: { ...runOptions(settings), generationDeadlineMs: 1, pollInitialDelayMs: 1 } }],
    });
    const summary = (await handle.result()) as { failures: Array<{ reason: string }> };
    expect(summary.failures.map((f) => f.reason)).toEqual([expect.stringMatching(/still generating after/), expect.stringMatching(/still generating after/)]);
    const progress: ProgressSnapshot = await handle.query(progressQuery);
    expect(progress.phase).toBe('done');
    expect(progress.assets.reel.failed).toBe(2);
  });

  test('a clip that always ends in ERROR is failed after the bounded attempts; everything else is stored', async () => {
    const summary = await fx.ingest({ testId, dest: tmp(), options: { ...runOptions(fx.settings), maxGenerationAttempts: 2 } });
    expect(summary.failures).toEqual([{ kind: 'clip', id: failingClip, reason: 'generation ended in ERROR 2 times' }]);
    const clips = fx.sim.scenario.tests[0].sessions.reduce((n, s) => n + s.clips.length, 0);
    // Sessions without a session video answer 404 on their clip list: skipped list-level records.
    expect(summary.counts.clip).toMatchObject({ stored: clips - 1, failed: 1 });
    expect(summary.counts.reel.stored).toBe(2);
  });

  test('a rerun fetches again only the reel whose lastUpdatedAtMs changed', async () => {
    const dest = tmp();
    const only = ['reels'];
    await fx.ingest({ testId, dest, only });
    const [changed, unchanged] = fx.sim.scenario.tests[0].reels;
    const newTimestamp = changed.lastUpdatedAtMs + 60_000;
    fx.sim.updateReel(testId, changed.uuid, { lastUpdatedAtMs: newTimestamp });
    fx.sim.resetStats();
    const summary = await fx.ingest({ testId, dest, only });
    expect(summary.downloaded).toBe(1);
    expect(fx.sim.stats().media.map((m) => m.key)).toEqual([`reel:${changed.uuid}`]);
    const file = path.join(dest, `test_id=${testId}`, 'highlight_reels', `${changed.uuid}.mp4`);
    const sidecar = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'));
    expect(sidecar.md5).toBe(fx.sim.expectedDigest({ kind: 'reel', testId, reelId: changed.uuid }).md5);
    expect(sidecar.metadata.lastUpdatedAtMs).toBe(String(newTimestamp));
    expect(fs.existsSync(path.join(dest, `test_id=${testId}`, 'highlight_reels', `${unchanged.uuid}.mp4`))).toBe(true);
  });

  test('scheduledIngest runs the ingestion under its contract id, and skips while one is running', async () => {
    const { client, settings } = fx;
    const dest = tmp();
    const args = [{ testId, dest, only: 'reels', options: runOptions(settings) }];
    // An ingestion under the contract id that stays running for as long as the test needs: no worker
    // polls its queue (a run on the real queue could end before the schedule looks, on a busy machine).
    const running = await client.workflow.start('ingestTestResult', {
      taskQueue: `${settings.taskQueue}-unpolled`,
      workflowId: `ut-media-test-${testId}`,
      args,
    });
    fx.sim.updateReel(testId, fx.sim.scenario.tests[0].reels[0].uuid, { lastUpdatedAtMs: Date.now() });
    const skipped = await client.workflow.execute('scheduledIngest', { taskQueue: settings.taskQueue, workflowId: `scheduled-a-${Date.now()}`, args });
    expect(skipped).toEqual({ skipped: `ut-media-test-${testId} is already running` });
    await running.terminate('the test saw the schedule skip');
    const summary = (await client.workflow.execute('scheduledIngest', { taskQueue: settings.taskQueue, workflowId: `scheduled-b-${Date.now()}`, args })) as {
      testId: string;
      failures: unknown[];
    };
    expect(summary).toMatchObject({ testId, failures: [] });
    const child = await client.workflow.getHandle(`ut-media-test-${testId}`).describe();
    expect(child.status.name).toBe('COMPLETED');
    expect(child.runId).not.toBe(running.firstExecutionRunId);
  });

  test(
    'every activity a run schedules, in every workflow of it, has a heartbeat timeout: ' +
      'a worker that dies mid-call is noticed in seconds, not after a start-to-close of minutes',
    async () => {
      const handle = await fx.client.workflow.start('ingestTestResult', {
        taskQueue: fx.settings.taskQueue,
        workflowId: `heartbeats-${Date.now()}`,
        args: [{ testId, dest: tmp(), options: runOptions(fx.settings) }],
      });
      await handle.result();
      const limitMs = Number(fx.env.UT_HEARTBEAT_TIMEOUT_MS);
      const scheduled: Array<{ type: string; heartbeatMs: number }> = [];
      const walk = async (workflowId: string, runId?: string): Promise<void> => {
        const history = await fx.client.workflow.getHandle(workflowId, runId).fetchHistory();
        for (const event of history.events ?? []) {
          const activity = event.activityTaskScheduledEventAttributes;
          if (activity) {
            const timeout = activity.heartbeatTimeout;
            scheduled.push({ type: activity.activityType!.name!, heartbeatMs: timeout ? Number(timeout.seconds ?? 0) * 1000 + (timeout.nanos ?? 0) / 1e6 : 0 });
          }
          const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
          if (child) await walk(child.workflowId!, child.runId!);
        }
      };
      await walk(handle.workflowId);
      // Storage, listing, context, media and generation activities all took part.
      for (const type of [
        'findStoredAssets',
        'recordOutcomes',
        'assembleManifest',
        'listSessionsPage',
        'listReels',
        'listClips',
        'fetchSessionDetails',
        'fetchVideo',
        'fetchReel',
        'fetchClip',
      ]) {
        expect(scheduled.map((s) => s.type)).toContain(type);
      }
      expect(scheduled.filter((s) => !(s.heartbeatMs > 0 && s.heartbeatMs <= limitMs))).toEqual([]);
    },
  );

  test('a 200 answer whose body is an HTML page is not stored: the video fails with the reason, the rest is stored', async () => {
    const session = fx.sim.scenario.tests[0].sessions.find((s) => s.productType !== 'SURVEY')!;
    const html = await createPipelineFixture({
      ...scenario,
      rateLimit: { limit: 600, windowMs: 60_000 },
      generation: { generatingMs: 20 },
      faults: { htmlInsteadOfMedia: [`video:${session.sessionId}`] },
    });
    try {
      await html.startWorkers();
      const dest = tmp();
      const summary = await html.ingest({ testId, dest, only: ['videos'] });
      expect(summary.failures).toEqual([
        { kind: 'video', id: session.sessionId, reason: expect.stringMatching(/^InvalidMedia: the media link answered text\/html, not video/) },
      ]);
      const video = path.join(dest, `test_id=${testId}`, `session_id=${session.sessionId}`, 'session.mp4');
      expect(fs.existsSync(video)).toBe(false);
      expect(fs.readdirSync(path.join(dest, '.ut-media-tmp'))).toEqual([]);
      const manifest = JSON.parse(fs.readFileSync(path.join(dest, `test_id=${testId}`, 'manifest.json'), 'utf8'));
      expect(manifest.assets.find((a: { kind: string; sessionId?: string }) => a.kind === 'video' && a.sessionId === session.sessionId)).toMatchObject({
        status: 'failed',
        reason: expect.stringMatching(/text\/html/),
      });
      // The media endpoint was asked once: a body that is not media is not retried.
      expect(html.sim.stats().media.filter((m) => m.key === `video:${session.sessionId}`)).toHaveLength(1);
    } finally {
      await html.close();
    }
  });

  test('at the end of a run, temp files of dead writers (idle past twice the heartbeat timeout) are removed; a live one is kept', async () => {
    const dest = tmp();
    const temp = path.join(dest, '.ut-media-tmp');
    fs.mkdirSync(temp, { recursive: true });
    const dead = path.join(temp, 'dead-writer.part');
    const live = path.join(temp, 'live-writer.part');
    fs.writeFileSync(dead, 'half a video');
    fs.writeFileSync(live, 'a video being written');
    const idle = new Date(Date.now() - 3 * Number(fx.env.UT_HEARTBEAT_TIMEOUT_MS));
    fs.utimesSync(dead, idle, idle);
    // The live writer keeps writing while the run goes on, however long a loaded machine makes it.
    const writing = setInterval(() => fs.appendFileSync(live, '.'), 1000);
    try {
      const summary = await fx.ingest({ testId, dest, only: ['reels'] });
      expect(summary.failed).toBe(0);
    } finally {
      clearInterval(writing);
    }
    expect(fs.readdirSync(temp)).toEqual(['live-writer.part']);
  });

  test(
    "a run into s3:// aborts multipart uploads dead writers left: any idle for a day, this test's idle past twice the heartbeat timeout; " +
      "live ones and other tests' recent ones stay",
    async () => {
      const client = testS3Client();
      const bucket = await newTestBucket(client, 'dead-writers');
      const otherTest = '33333333-3333-4333-8333-333333333333';
      const key = (test: string, tag: string) => `archive/.ut-media-tmp/test_id=${test}~r.mp4.1.2.${tag}`;
      const startUpload = async (Key: string, withPart: boolean) => {
        const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
        if (withPart) await client.send(new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber: 1, Body: 'a part' }));
        return UploadId;
      };
      // moto dates every upload 2010-11-10 (S3: its real start), so one without parts has been idle for years there.
      await startUpload(key(otherTest, 'ancient'), false);
      await startUpload(key(testId, 'dead'), true);
      await startUpload(key(otherTest, 'quiet'), true);
      await new Promise((r) => setTimeout(r, 2 * Number(fx.env.UT_HEARTBEAT_TIMEOUT_MS) + 500));
      const liveKey = key(testId, 'live');
      const liveUpload = await startUpload(liveKey, true);
      // The live writer keeps sending parts while the run goes on, however long a loaded machine makes it.
      let part = 1;
      const writing = setInterval(
        () =>
          client.send(new UploadPartCommand({ Bucket: bucket, Key: liveKey, UploadId: liveUpload, PartNumber: ++part, Body: 'a part' })).catch(() => undefined),
        1000,
      );
      try {
        const summary = await fx.ingest({ testId, dest: `s3://${bucket}/archive`, only: ['reels'] });
        expect(summary.failed).toBe(0);
      } finally {
        clearInterval(writing);
      }
      const left = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      expect((left.Uploads ?? []).map((u) => u.Key).sort()).toEqual([liveKey, key(otherTest, 'quiet')].sort());
    },
  );

  /** Per store: a fresh destination, and the metadata of an object as that store counts it against its limit. */
  const stores = {
    'gs:// (8 KiB)': {
      limit: 8 * 1024,
      async destination(emulatorHost: string | undefined) {
        const storage = createGcsClient({ STORAGE_EMULATOR_HOST: emulatorHost });
        const bucket = `long-metadata-${Date.now()}`;
        await storage.createBucket(bucket);
        return {
          dest: `gs://${bucket}/a`,
          storedBytes: async (key: string) => {
            const [meta] = await storage.bucket(bucket).file(`a/${key}`).getMetadata();
            return Object.entries(meta.metadata ?? {}).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(String(v)), 0);
          },
        };
      },
    },
    's3:// (2 KB)': {
      limit: 2048,
      async destination() {
        const client = testS3Client();
        const bucket = await newTestBucket(client, 'long-metadata');
        return {
          dest: `s3://${bucket}/a`,
          storedBytes: async (key: string) => {
            const { Metadata } = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `a/${key}` }));
            return Object.entries(Metadata ?? {}).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v), 0);
          },
        };
      },
    },
    'az:// (8 KiB)': {
      limit: 8 * 1024,
      async destination() {
        const container = BlobServiceClient.fromConnectionString(harnessValue('azureConnectionString')).getContainerClient(`long-metadata-${Date.now()}`);
        await container.create();
        return {
          dest: `az://${container.containerName}/a`,
          // As stored: the encoded names and values Azure counts against its limit.
          storedBytes: async (key: string) => {
            const { metadata } = await container.getBlobClient(`a/${key}`).getProperties();
            return Object.entries(metadata ?? {}).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
          },
        };
      },
    },
  };

  test.each(Object.keys(stores) as Array<keyof typeof stores>)(
    'a clip description over the store metadata limit (%s): the clip is stored with it cut to fit, the manifest has it whole',
    async (store) => {
      const long = `Says "../../etc/passwd" then\n${'a very long remark about checkout, ☕ '.repeat(300)}`;
      const tests = structuredClone(scenario.tests);
      const clip = tests[0].sessions.flatMap((s) => s.clips ?? [])[0]!;
      clip.description = long;
      const withLong = await createPipelineFixture({ ...scenario, tests, rateLimit: { limit: 600, windowMs: 60_000 }, generation: { generatingMs: 20 } });
      try {
        await withLong.startWorkers();
        const { dest, storedBytes } = await stores[store].destination(withLong.env.STORAGE_EMULATOR_HOST);
        const summary = await withLong.ingest({ testId, dest, only: ['clips'] });
        expect(summary.failed).toBe(0);
        const session = tests[0].sessions.find((s) => (s.clips ?? []).some((c) => c.uuid === clip.uuid))!;
        const key = `test_id=${testId}/session_id=${session.sessionId}/clips/${clip.uuid}.mp4`;
        expect(await storedBytes(key)).toBeLessThanOrEqual(stores[store].limit);
        const destination = openDestination(parseDestination(dest));
        expect((await destination.stat(key))?.metadata.truncatedFields).toBe('description');
        const manifest = JSON.parse((await readAll(destination.readObject(`test_id=${testId}/manifest.json`))).toString('utf8'));
        const entry = manifest.assets.find((a: { clipId?: string }) => a.clipId === clip.uuid);
        expect(entry).toMatchObject({ status: 'stored', description: long });
        expect(entry.truncatedFields).toBeUndefined();
      } finally {
        await withLong.close();
      }
    },
  );

  test('the token endpoint down for a while: activities retry until it answers; the run completes; no API request is wasted on it', async () => {
    const down = await createPipelineFixture({
      ...scenario,
      rateLimit: { limit: 600, windowMs: 60_000 },
      generation: { generatingMs: 20 },
      tokenTtlSeconds: 3600,
      faults: { tokenEndpointFailures: 4 },
    });
    try {
      await down.startWorkers();
      const summary = await down.ingest({ testId, dest: tmp(), only: ['reels', 'videos'] });
      expect(summary.failed).toBe(0);
      const tokens = down.sim.stats().tokenRequests.map((t) => t.status);
      expect(tokens.slice(0, 4)).toEqual([503, 503, 503, 503]);
      expect(tokens).toContain(200);
      // The API saw no request without a token: the outage cost retries, not budget.
      expect(down.sim.stats().calls.filter((c) => c.status === 401)).toEqual([]);
    } finally {
      await down.close();
    }
  });
});
