/**
 * `npm run bench` (`node dist/scripts/bench.js [--quick]` after `npm run build`).
 *
 * Runs the real pipeline (in-process workers on a local Temporal dev server) against the Results
 * API simulator and prints ratios, not pass/fail timings:
 *  (a) request efficiency: API requests spent / the fewest possible, achieved request rate / budget,
 *      most requests in any 60 s (and 10 s) window / budget for that window;
 *  (b) memory: ingest one session with a large video into a local folder and into gs://
 *      (fake-gcs-server), sampling RSS every 100 ms: peak RSS growth / object size, and MB/s.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { loadSettings } from '../config/settings';
import { startFakeGcsServer, type RunningFakeGcs } from '../infra/fake-gcs-server';
import { startTemporalDevServer, type RunningDevServer } from '../infra/temporal-dev-server';
import { generateScenario, startSimulator, type RunningSimulator, type ScenarioInput } from '../simulator';
import { createGcsClient } from '../storage';
import { buildActivityDeps } from '../workers/activity-deps';
import { apiActivitiesPerSecond } from '../workers/api-budget';
import { createWorkersFromSettings } from '../workers/create-workers';
import { runOptionsFromSettings } from '../config/run-options';
import type { IngestSummary } from '../workflows/asset-types';
import type { IngestTestResultInput } from '../workflows/inputs';
import { testWorkflowId } from '../workflows/task-queues';
import { runScaleBench } from './bench-scale';
import { GiB, MiB, maxInWindow, minimumRequests, ratio, sampleRss } from './bench-support';

const BUNDLE = path.join(__dirname, '..', 'workflow-bundle.js');
const BUCKET = 'ut-media-bench';

interface Harness {
  temporal: RunningDevServer;
  gcs: RunningFakeGcs;
  scratch: string;
}

interface RunResult {
  summary: IngestSummary;
  startedAt: number;
  endedAt: number;
}

/** One ingestion through fresh in-process workers on their own task queues. */
async function ingest(
  h: Harness,
  sim: RunningSimulator,
  request: IngestTestResultInput,
  env: Record<string, string> = {},
): Promise<RunResult> {
  const client0 = sim.scenario.clients[0];
  const settings = loadSettings({
    UT_API_BASE_URL: sim.baseUrl,
    UT_TOKEN_URL: sim.tokenUrl,
    UT_CLIENT_ID: client0.clientId,
    UT_CLIENT_SECRET: client0.clientSecret,
    UT_RATE_LIMIT_PER_MINUTE: String(Math.round((sim.scenario.rateLimit.limit * 60_000) / sim.scenario.rateLimit.windowMs)),
    UT_POLL_INITIAL_DELAY_MS: '200',
    UT_POLL_MAX_DELAY_MS: '1000',
    UT_RETRY_INITIAL_INTERVAL_MS: '200',
    TEMPORAL_ADDRESS: h.temporal.address,
    UT_TASK_QUEUE: `ut-media-bench-${crypto.randomUUID().slice(0, 8)}`,
    ...env,
  });
  const workerConnection = await NativeConnection.connect({ address: h.temporal.address });
  const connection = await Connection.connect({ address: h.temporal.address });
  const workers = await createWorkersFromSettings(workerConnection, settings, buildActivityDeps(settings), BUNDLE);
  const running = workers.run();
  try {
    const client = new Client({ connection, namespace: settings.namespace });
    const startedAt = Date.now();
    const handle = await client.workflow.start('ingestTestResult', {
      taskQueue: settings.taskQueue,
      workflowId: `${testWorkflowId(request.testId)}-${crypto.randomUUID().slice(0, 6)}`,
      args: [
        {
          ...request,
          options: { ...runOptionsFromSettings(settings), heartbeatTimeoutMs: 30_000, ...request.options },
        },
      ],
    });
    const summary = (await handle.result()) as IngestSummary;
    return { summary, startedAt, endedAt: Date.now() };
  } finally {
    workers.shutdown();
    await running.catch(() => undefined);
    await workerConnection.close();
    await connection.close();
  }
}

function checkSummary(label: string, summary: IngestSummary): boolean {
  if (summary.failed === 0) return true;
  console.log(`  ${label}: ${summary.failed} asset(s) FAILED, e.g. ${summary.failures[0].kind} ${summary.failures[0].id}: ${summary.failures[0].reason}`);
  return false;
}

/** (a) Requests spent against the fewest possible, and how close to the budget they were sent. */
async function benchRequests(h: Harness, quick: boolean): Promise<boolean> {
  // The full run lasts a little over 60 s at the budget, so the 60 s window figure means something.
  const sessions = quick ? 20 : 120;
  const budget = 600;
  const generated = generateScenario({ seed: 7, sessions, reels: 3, clipsPerSession: [0, 3], videoBytes: [64 * 1024, 256 * 1024], clipBytes: [16 * 1024, 64 * 1024], reelBytes: [64 * 1024, 128 * 1024] });
  const scenario: ScenarioInput = { ...generated, rateLimit: { limit: budget, windowMs: 60_000 }, generation: { generatingMs: 100 } };
  const sim = await startSimulator({ scenario });
  try {
    const test = sim.scenario.tests[0];
    const clips = test.sessions.reduce((n, s) => n + s.clips.length, 0);
    const pages = Math.max(1, Math.ceil(test.sessions.length / Math.min(500, sim.scenario.pageCap)));
    const minimum = minimumRequests({ pages, sessions: test.sessions.length, reels: test.reels.length, clips });
    const dest = path.join(h.scratch, 'requests');
    console.log(`\n(a) request efficiency: ${test.sessions.length} sessions, ${test.reels.length} reels, ${clips} clips, budget ${budget}/min`);
    console.log(`    (workers dispatch API activities at ${(apiActivitiesPerSecond(budget) * 60).toFixed(0)}/min, see workers/api-budget.ts)`);
    const run = await ingest(h, sim, { testId: test.testId, dest });
    const ok = checkSummary('ingest', run.summary);
    const calls = sim.stats().calls;
    const times = calls.map((c) => c.at);
    const throttled = calls.filter((c) => c.status === 429).length;
    const byOperation = new Map<string, number>();
    for (const c of calls) byOperation.set(c.operation, (byOperation.get(c.operation) ?? 0) + 1);
    const spanMs = Math.max(1, Math.max(...times) - Math.min(...times));
    const perMinute = (calls.length * 60_000) / spanMs;
    const max60 = maxInWindow(times, 60_000);
    const max10 = maxInWindow(times, 10_000);
    console.log(`    requests ${calls.length}, minimum ${minimum}, 429 answers ${throttled}, wall time ${((run.endedAt - run.startedAt) / 1000).toFixed(1)} s`);
    console.log(`    by operation: ${[...byOperation].map(([op, n]) => `${op} ${n}`).join(', ')}`);
    console.log(`    requests / minimum                         ${ratio(calls.length, minimum)}`);
    console.log(`    achieved requests per minute / budget      ${ratio(perMinute, budget)}   (${perMinute.toFixed(0)}/min over ${(spanMs / 1000).toFixed(1)} s)`);
    console.log(`    max requests in any 60 s window / budget   ${ratio(max60, budget)}   (${max60}${spanMs < 60_000 ? '; the run is shorter than 60 s' : ''})`);
    console.log(`    max requests in any 10 s window / budget/6 ${ratio(max10, budget / 6)}   (${max10})`);
    return ok && throttled === 0;
  } finally {
    await sim.close();
  }
}

/** (b) One large video: peak RSS growth relative to its size, and throughput, per destination kind. */
async function benchMemory(h: Harness, quick: boolean): Promise<boolean> {
  const videoBytes = quick ? 256 * MiB : GiB;
  const scenario: ScenarioInput = {
    seed: 11,
    rateLimit: { limit: 600, windowMs: 60_000 },
    tests: [{ sessions: [{ productType: 'NON_THINK_OUT_LOUD', videoBytes, clips: [] }], reels: [] }],
  };
  console.log(`\n(b) memory: one session video of ${(videoBytes / MiB).toFixed(0)} MiB, RSS sampled every 100 ms`);
  let ok = true;
  const targets = [
    { label: 'local folder', note: '', dest: path.join(h.scratch, 'memory') },
    { label: 'gs:// (fake-gcs-server)', note: 'emulator speed, not a GCS figure', dest: `gs://${BUCKET}/memory` },
  ];
  for (const target of targets) {
    const sim = await startSimulator({ scenario });
    try {
      const test = sim.scenario.tests[0];
      const rss = sampleRss(100);
      const run = await ingest(h, sim, { testId: test.testId, dest: target.dest, only: ['videos'] }).finally(() => rss.stop());
      const sampled = rss.stop();
      ok = checkSummary(target.label, run.summary) && ok;
      const seconds = (run.endedAt - run.startedAt) / 1000;
      const growth = Math.max(0, sampled.peak - sampled.baseline);
      console.log(
        `    ${target.label.padEnd(26)} peak RSS growth / object size ${ratio(growth, videoBytes, 3)}` +
          `   (+${(growth / MiB).toFixed(0)} MiB over ${(sampled.baseline / MiB).toFixed(0)} MiB)` +
          `   throughput ${((run.summary.bytesDownloaded || videoBytes) / 1e6 / seconds).toFixed(0)} MB/s (${seconds.toFixed(1)} s incl. workflow start${target.note ? `; ${target.note}` : ''})`,
      );
    } finally {
      await sim.close();
    }
  }
  return ok;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, scale: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    console.log('Usage: node dist/scripts/bench.js [--quick | --scale]   (after npm run build; npm run bench does both; --scale: see scripts/bench-scale.ts)');
    return;
  }
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first`);
  // Before anything creates the runtime: keep SDK logs (e.g. "no workflows registered" on the API queue) out of the figures.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } } });
  const started = Date.now();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-bench-'));
  const [temporal, gcs] = await Promise.all([startTemporalDevServer({ preciseTimers: true }), startFakeGcsServer()]);
  const savedEmulator = process.env.STORAGE_EMULATOR_HOST;
  process.env.STORAGE_EMULATOR_HOST = gcs.url;
  const h: Harness = { temporal, gcs, scratch };
  let ok = true;
  try {
    await createGcsClient().createBucket(BUCKET);
    console.log(`ut-media bench${values.quick ? ' (--quick)' : ''}${values.scale ? ' (--scale)' : ''}: node ${process.version}, ${os.cpus().length} CPUs, Temporal dev server ${temporal.address}, fake-gcs-server ${gcs.url}`);
    if (values.scale) {
      ok = await runScaleBench({ temporalAddress: temporal.address, namespace: temporal.namespace, scratch, ingest: (sim, request, env) => ingest(h, sim, request, env) });
    } else {
      ok = (await benchRequests(h, values.quick)) && ok;
      ok = (await benchMemory(h, values.quick)) && ok;
    }
  } finally {
    await Promise.allSettled([temporal.stop(), gcs.stop()]);
    fs.rmSync(scratch, { recursive: true, force: true });
    if (savedEmulator === undefined) delete process.env.STORAGE_EMULATOR_HOST;
    else process.env.STORAGE_EMULATOR_HOST = savedEmulator;
  }
  console.log(`\ndone in ${((Date.now() - started) / 1000).toFixed(0)} s${ok ? '' : ' (some runs had failed assets or 429 answers: see above)'}`);
  process.exitCode = ok ? 0 : 1;
}

main().catch((err) => {
  console.error(`bench: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
