import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
// The package's public entry, by name: it resolves through package.json `exports` to the built dist/.
import { apiWorkerOptions, buildActivityDeps, createStorageActivities, loadSettings, runOptionsFromSettings } from 'ut-media';
import { generateScenario, startSimulator } from '../../simulator';
import { expectedAssets, md5OfFile } from '../support/expectations';
import type { archiveSession } from '../support/host-workflows';
import { testEnv } from '../support/pipeline-fixture';
import { generationWorkflowId } from '../../contract/task-queues';

/**
 * A host team's worker embeds ut-media: its own workflow file (which imports `ut-media/workflows`)
 * is bundled by its own Worker, ut-media's activities are registered from the package's exports on
 * the host's queue and its API queue, and the host's workflow runs `ingestSession` as a child.
 */
const scenario = {
  ...generateScenario({
    seed: 1107,
    sessions: 2,
    reels: 0,
    clipsPerSession: [2, 2],
    productMix: { THINK_OUT_LOUD: 1, NON_THINK_OUT_LOUD: 0, LIVE_CONVERSATION: 0, SURVEY: 0 },
    videoBytes: [200_000, 400_000],
    clipBytes: [20_000, 60_000],
  }),
  rateLimit: { limit: 600, windowMs: 60_000 },
  generation: { generatingMs: 40 },
};

test('a host workflow runs ingestSession as a child on the host worker and reads its result', async () => {
  // What is under test is the built entry a consumer gets, not the sources.
  expect(require.resolve('ut-media')).toBe(path.resolve(__dirname, '../../dist/index.js'));
  const sim = await startSimulator({ scenario });
  const settings = loadSettings(testEnv(sim));
  const hostQueue = `host-${crypto.randomUUID().slice(0, 8)}`;
  const deps = buildActivityDeps(settings);
  const workerConnection = await NativeConnection.connect({ address: settings.temporalAddress! });
  const connection = await Connection.connect({ address: settings.temporalAddress! });
  const workers: Worker[] = [];
  const running: Array<Promise<void>> = [];
  try {
    workers.push(
      await Worker.create({
        connection: workerConnection,
        namespace: settings.namespace,
        taskQueue: hostQueue,
        workflowsPath: require.resolve('../support/host-workflows'),
        activities: createStorageActivities(deps),
      }),
      await Worker.create({
        connection: workerConnection,
        namespace: settings.namespace,
        ...apiWorkerOptions({ taskQueue: hostQueue, deps, ratePerMinute: settings.ratePerMinute, maxConcurrentDownloads: settings.maxConcurrentDownloads }),
      }),
    );
    running.push(...workers.map((w) => w.run()));

    const { testId, sessions } = sim.scenario.tests[0];
    const sessionId = sessions[0].sessionId;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-embed-'));
    const client = new Client({ connection, namespace: settings.namespace });
    const workflowId = `host-archive-${crypto.randomUUID()}`;
    const result = await client.workflow.execute<typeof archiveSession>('archiveSession', {
      taskQueue: hostQueue,
      workflowId,
      // One check inline, then each clip's wait goes to an `awaitGeneration` child on the host's queue.
      args: [{ testId, sessionId, dest: `file://${root}`, options: { ...runOptionsFromSettings(settings), inlinePolls: 1 } }],
      // A workflow type missing from the host's bundle fails workflow tasks forever: end the wait.
      workflowExecutionTimeout: '90 seconds',
    });

    const expected = expectedAssets(sim, testId).filter((a) => a.relativePath.includes(`/session_id=${sessionId}/`));
    expect(expected.map((a) => a.kind).sort()).toEqual(['clip', 'clip', 'details', 'transcript', 'video']);
    let bytes = 0;
    for (const asset of expected) {
      const file = path.join(root, asset.relativePath);
      expect(fs.existsSync(file)).toBe(true);
      bytes += fs.statSync(file).size;
      if (asset.digest) expect({ bytes: fs.statSync(file).size, md5: md5OfFile(file) }).toEqual({ bytes: asset.digest.bytes, md5: asset.digest.md5 });
    }
    expect(result).toEqual({ sessionId, assetsStored: expected.length, bytesDownloaded: bytes, failed: 0 });
    // The children ran on the host's queue (so their API activities went to the host's API queue).
    const children = [`${workflowId}-session`, ...sessions[0].clips.map((c) => generationWorkflowId(c.uuid))];
    const described = await Promise.all(children.map((id) => client.workflow.getHandle(id).describe()));
    expect(described.map((d) => [d.type, d.taskQueue])).toEqual([['ingestSession', hostQueue], ...sessions[0].clips.map(() => ['awaitGeneration', hostQueue])]);
  } finally {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(running);
    await workerConnection.close();
    await connection.close();
    await sim.close();
  }
});
