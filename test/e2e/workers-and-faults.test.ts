import { execFileSync } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { locateTool } from '../../scripts/tools';
import { createGcsClient } from '../../storage';
import { generateScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { sessionWorkflowId, testWorkflowId } from '../../contract/task-queues';
import { apiActivitiesPerSecond } from '../../workers/api-budget';
import { expectedAssets, maxCallsInWindow, minimumRequests } from '../support/expectations';
import { harnessValue } from '../support/harness-env';
import { testEnv } from '../support/pipeline-fixture';
import { ProcessGroup, waitFor } from '../support/processes';

/**
 * Two `ut-media worker` processes and the CLI against the shared dev server, with every fault of
 * issue #4 injected, a budget that binds (20 requests per 10 s window), and one worker killed with
 * SIGKILL in the middle of a large, throttled video.
 */
const MiB = 1 << 20;
const scenario = generateScenario({
  seed: 5201,
  sessions: 20,
  reels: 3,
  clipsPerSession: [0, 3],
  productMix: { THINK_OUT_LOUD: 3, NON_THINK_OUT_LOUD: 2, LIVE_CONVERSATION: 1, SURVEY: 2 },
  videoBytes: [100_000, 400_000],
  clipBytes: [20_000, 60_000],
  reelBytes: [50_000, 150_000],
});
const sessions = scenario.tests[0].sessions;
const withVideo = sessions.filter((s) => s.productType !== 'SURVEY');
const [cutSession, killSession, expiredSession] = [withVideo[0]!, withVideo[1]!, withVideo[2]!];
cutSession.videoBytes = 24 * MiB;
killSession.videoBytes = 48 * MiB;
const erroringClip = withVideo.flatMap((s) => s.clips)[0]!;

const WINDOW_MS = 10_000;
const LIMIT = 20;

describe('two worker processes, every fault, a SIGKILL mid-video', () => {
  let sim: RunningSimulator;
  const cli = new ProcessGroup();
  afterAll(async () => {
    await cli.killAll();
    await sim?.close();
  });

  test('the same complete, byte-exact result inside the budget, no secret anywhere', async () => {
    sim = await startSimulator({
      scenario: {
        ...scenario,
        rateLimit: { limit: LIMIT, windowMs: WINDOW_MS },
        generation: { generatingMs: 30 },
        faults: {
          serverErrorEveryNth: 29,
          rateLimitBurst: { atCall: 20, count: 3, resetSeconds: 1 },
          revokeTokenAtCall: 45,
          generationErrorOnce: [erroringClip.uuid!],
          linkExpiredOnFirstUse: [`video:${expiredSession.sessionId}`],
          cutBodyOnce: [`video:${cutSession.sessionId}`],
          slowMedia: { bytesPerSecond: 6 * MiB, keys: [`video:${killSession.sessionId}`] },
        },
      },
    });
    const testId = sim.scenario.tests[0].testId;
    const env = testEnv(sim, {
      UT_RATE_LIMIT_PER_MINUTE: String(LIMIT * (60_000 / WINDOW_MS)),
      UT_HEARTBEAT_TIMEOUT_MS: '3000',
      UT_LOG_LEVEL: 'info',
    });
    const bucket = `faults-${Date.now()}`;
    const gcs = createGcsClient({ STORAGE_EMULATOR_HOST: env.STORAGE_EMULATOR_HOST });
    await gcs.createBucket(bucket);

    const workerA = cli.spawn(['worker'], env);
    const workerB = cli.spawn(['worker'], env);
    const ingest = cli.spawn(['ingest', '--test', testId, '--dest', `gs://${bucket}/archive`, '--json', '--no-progress'], env);

    // Find which worker streams the big video, and kill it while the bytes flow.
    await waitFor(
      () => sim.stats().mediaInProgress.find((m) => m.key === `video:${killSession.sessionId}` && m.bytesSent > 4 * MiB),
      180_000,
      'the large video to be half-way',
    );
    const connection = await Connection.connect({ address: harnessValue('temporalAddress') });
    const client = new Client({ connection });
    const description = await client.workflow.getHandle(sessionWorkflowId(killSession.sessionId!)).describe();
    const identity = description.raw.pendingActivities?.find((a) => a.activityType?.name === 'fetchVideo')?.lastWorkerIdentity ?? '';
    const victim = [workerA, workerB].find((w) => identity.startsWith(`${w.child.pid}@`));
    expect(victim).toBeDefined();
    victim!.child.kill('SIGKILL');

    const code = await ingest.exited;
    const { stdout, stderr } = ingest.output();
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const summary = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ ok: true, testId, failures: [] });

    const status = cli.spawn(['status', '--test', testId, '--json'], env);
    expect(await status.exited).toBe(0);
    expect(JSON.parse(status.output().stdout.trim())).toMatchObject({ status: 'COMPLETED', progress: { phase: 'done', sessions: { done: 20, total: 20 } } });

    // Every object whole and single, byte-exact.
    const expected = expectedAssets(sim, testId);
    const [objects] = await gcs.bucket(bucket).getFiles({ prefix: 'archive/' });
    const names = objects.map((o) => o.name).sort();
    const storedNames = expected.filter((a) => a.status === 'stored').map((a) => `archive/${a.relativePath}`);
    const recordNames = expected.filter((a) => a.recordPath).map((a) => `archive/${a.recordPath}`);
    expect(names).toEqual(
      [
        ...storedNames,
        ...recordNames,
        `archive/test_id=${testId}/manifest.json`,
        `archive/test_id=${testId}/manifest.jsonl`,
        `archive/test_id=${testId}/index.html`,
        'archive/index.html',
      ].sort(),
    );
    for (const asset of expected.filter((a) => a.digest)) {
      const [meta] = await gcs.bucket(bucket).file(`archive/${asset.relativePath}`).getMetadata();
      expect({ path: asset.relativePath, md5: meta.md5Hash, size: Number(meta.size) }).toEqual({
        path: asset.relativePath,
        md5: asset.digest!.md5,
        size: asset.digest!.bytes,
      });
    }
    const media = sim.stats().media;
    expect(media.some((m) => m.key === `video:${cutSession.sessionId}` && m.status === 206)).toBe(true);

    // The budget: no 429 but the injected ones, no window above it, requests near the minimum.
    const calls = sim.stats().calls;
    expect(calls.filter((c) => c.status === 429 && !c.faultInjected)).toEqual([]);
    const charged = calls.filter((c) => c.status !== 401 && c.faultInjected !== 'rateLimitBurst');
    // The gateway counts fixed windows (no 429 above says none overflowed). Any sliding window may
    // also hold the server's dispatch burst: about one second of the dispatch rate on top.
    const burst = Math.ceil(apiActivitiesPerSecond(LIMIT * (60_000 / WINDOW_MS)));
    expect(
      maxCallsInWindow(
        charged.map((c) => c.at),
        WINDOW_MS,
      ),
    ).toBeLessThanOrEqual(LIMIT + burst);
    const faultCalls = calls.filter((c) => c.faultInjected || c.status === 401).length;
    const redoneByFaults = 1 /* new generation attempt */ + 1 /* fresh video link */ + 4; /* requests in flight on the killed worker */
    expect(calls.length).toBeLessThanOrEqual(Math.floor(1.1 * minimumRequests(sim, testId, 1)) + faultCalls + redoneByFaults);

    // Secrets: worker logs, CLI output, manifest and every workflow history.
    for (const w of [workerA, workerB]) if (w.child.exitCode === null) w.child.kill('SIGTERM');
    await Promise.all([workerA.exited, workerB.exited]);
    const [manifest] = await gcs.bucket(bucket).file(`archive/test_id=${testId}/manifest.json`).download();
    // Every small object the run wrote: manifest.jsonl, the page (index.html), the records and full-field copies under _ut-media/.
    const [files] = await gcs.bucket(bucket).getFiles({ prefix: `archive/test_id=${testId}/` });
    const smallObjects = await Promise.all(
      files.filter((f) => ['.json', '.jsonl', '.html'].some((ext) => f.name.endsWith(ext))).map(async (f) => (await f.download())[0].toString('utf8')),
    );
    expect(smallObjects.length).toBeGreaterThan(2);
    const temporal = locateTool('temporal')!.path;
    const histories = [testWorkflowId(testId), ...sessions.map((s) => sessionWorkflowId(s.sessionId!))].map((id) =>
      execFileSync(temporal, ['workflow', 'show', '--workflow-id', id, '--address', harnessValue('temporalAddress'), '--output', 'json'], {
        encoding: 'utf8',
        maxBuffer: 64 * MiB,
      }),
    );
    expect(histories.join('').length).toBeGreaterThan(10_000);
    // And every run tagged with the test (reels, long generations, each continue-as-new run), payloads decoded.
    await new Promise((r) => setTimeout(r, 1500));
    const decoded: string[] = [];
    for await (const execution of client.workflow.list({ query: `UtTestId="${testId}"` })) {
      const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      decoded.push(JSON.stringify(history, (_key, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value)));
    }
    expect(decoded.length).toBeGreaterThan(sessions.length);
    expect(decoded.join('')).toContain(testId);
    const haystacks = {
      workerLogs: [workerA, workerB].map((w) => w.output().stdout + w.output().stderr).join('\n'),
      cliOutput: stdout + stderr,
      manifest: manifest.toString('utf8'),
      records: smallObjects.join('\n'),
      histories: histories.join('\n'),
      decodedHistories: decoded.join('\n'),
    };
    expect(haystacks.workerLogs).toMatch(/stored/);
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of [
        /X-Amz-Signature/i,
        /X-Amz-Credential/i,
        /eyJ[\w-]{8,}\.[\w-]{8,}\./,
        new RegExp(sim.scenario.clients[0].clientSecret),
        /Bearer\s+\S{10,}/,
      ]) {
        expect({ where, found: secret.test(text) }).toEqual({ where, found: false });
      }
    }
    await connection.close();
  }, 420_000);
});
