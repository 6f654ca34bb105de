import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateScenario } from '../../simulator';
import { checkRunHealth } from '../../cli/run-health';
import type { IngestSummary } from '../../contract/asset-types';
import { testWorkflowId } from '../../contract/task-queues';
import { expectedAssets } from '../support/expectations';
import { createPipelineFixture, runOptions, type PipelineFixture } from '../support/pipeline-fixture';
import { startTcpForwarder, type TcpForwarder } from '../support/tcp-forwarder';

/**
 * The media host (where signed links point) goes down while the API keeps answering: network
 * failures are waited out on the link in hand, since each new link costs a request of the budget.
 */
const scenario = generateScenario({
  seed: 9107,
  sessions: 4,
  reels: 0,
  clipsPerSession: [0, 0],
  productMix: { THINK_OUT_LOUD: 1, NON_THINK_OUT_LOUD: 0, LIVE_CONVERSATION: 0, SURVEY: 0 },
});

async function outageFixture(env: Record<string, string>): Promise<{ fx: PipelineFixture; host: TcpForwarder }> {
  let simPort = 0;
  const host = await startTcpForwarder(() => ({ host: '127.0.0.1', port: simPort }));
  const fx = await createPipelineFixture(
    { ...scenario, rateLimit: { limit: 600, windowMs: 60_000 } },
    { UT_MEDIA_RETRY_INITIAL_DELAY_MS: '200', ...env },
    { mediaBaseUrl: host.url },
  );
  simPort = Number(new URL(fx.sim.baseUrl).port);
  opened.push({ fx, host });
  await fx.startWorkers();
  return { fx, host };
}

const opened: Array<{ fx: PipelineFixture; host: TcpForwarder }> = [];
afterAll(async () => {
  for (const { fx, host } of opened) {
    await host.close();
    await fx.close();
  }
});

async function startIngest(fx: PipelineFixture, dest: string) {
  const testId = fx.sim.scenario.tests[0].testId;
  const handle = await fx.client.workflow.start('ingestTestResult', {
    taskQueue: fx.settings.taskQueue,
    workflowId: `${testWorkflowId(testId)}-${crypto.randomUUID().slice(0, 6)}`,
    args: [{ testId, dest, only: ['videos'], options: runOptions(fx.settings) }],
  });
  return { testId, handle };
}

const linkRequests = (fx: PipelineFixture) => fx.sim.stats().calls.filter((c) => c.operation === 'videoDownloadUrl');

describe('the media host down while the API answers', () => {
  test('for a few seconds: one link per video, every video stored byte-exact after the outage', async () => {
    const { fx, host } = await outageFixture({});
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-outage-'));
    await host.down();
    const { testId, handle } = await startIngest(fx, dest);
    // The host comes back once every video has its link and has met the outage.
    const deadline = Date.now() + 60_000;
    while (linkRequests(fx).length < scenario.tests[0].sessions.length && Date.now() < deadline) await sleep(100);
    await sleep(2_000);
    await host.up();
    const summary = (await handle.result()) as IngestSummary;
    expect(summary).toMatchObject({ failed: 0 });
    expect(summary.counts.video.stored).toBe(4);
    expect(linkRequests(fx)).toHaveLength(4);
    for (const asset of expectedAssets(fx.sim, testId).filter((a) => a.kind === 'video' && a.digest)) {
      const body = fs.readFileSync(path.join(dest, ...asset.relativePath.split('/')));
      expect(crypto.createHash('md5').update(body).digest('base64')).toBe(asset.digest!.md5);
    }
    fs.rmSync(dest, { recursive: true, force: true });
  }, 120_000);

  test('for good: each video fails with the cause after UT_MEDIA_UNREACHABLE_MS, one link each; the run says so while it waits', async () => {
    const { fx, host } = await outageFixture({ UT_MEDIA_UNREACHABLE_MS: '6000', UT_HEARTBEAT_TIMEOUT_MS: '2000' });
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-outage-'));
    await host.down();
    const { handle } = await startIngest(fx, dest);
    const noticed: string[] = [];
    const result = handle.result() as Promise<IngestSummary>;
    let done = false;
    void result.finally(() => (done = true));
    while (!done && noticed.length === 0) {
      const problems = await checkRunHealth(fx.client, handle).catch(() => []);
      noticed.push(...problems.map((p) => p.cause).filter((cause) => /media host has not answered since/.test(cause)));
      await sleep(250);
    }
    const summary = await result;
    expect(noticed.length).toBeGreaterThan(0);
    expect(summary.counts.video.failed).toBe(4);
    expect(summary.failures.map((f) => f.reason)).toEqual(
      Array(4).fill(expect.stringMatching(/media host unreachable: .*ECONNREFUSED.*the next run tries again/)),
    );
    expect(linkRequests(fx)).toHaveLength(4);
    expect(JSON.stringify(summary)).not.toMatch(/X-Amz-Signature=|X-Amz-Credential=/);
    fs.rmSync(dest, { recursive: true, force: true });
  }, 120_000);
});
