/**
 * `npm run bench` (`node dist/bench/run.js [--quick | --scale] [--only budget,cluster,streaming,stores,scale,page]` after `npm run build`).
 *
 * Runs the real pipeline (in-process workers on a local Temporal dev server) against the Results
 * API simulator and prints one table of ratios, each with its target and ✓/✗ (the bench never
 * fails the build), written also to bench/results/<date>-<commit>.json:
 *  1–5 the API budget (bench/budget.ts): against the tutorials' own loop, the rate bound, the
 *      fewest requests, a generation-heavy test, the real default of 10/min;
 *  6   streaming against curl on the same link, and flat memory (bench/streaming.ts);
 *  6b  each object store against curl uploading the same bytes to the same emulator (bench/stores.ts);
 *  7   the 1,000-session scale run (bench/scale.ts; `--scale` runs the 10,000-session ones).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { loadSettings } from '../config/settings';
import { startFakeGcsServer, type RunningFakeGcs } from '../test/support/emulators/fake-gcs-server';
import { startTemporalDevServer, type RunningDevServer } from '../infra/temporal-dev-server';
import { createGcsClient } from '../storage';
import { buildActivityDeps } from '../workers/activity-deps';
import { createWorkersFromSettings } from '../workers/create-workers';
import { runOptionsFromSettings } from '../config/run-options';
import type { IngestSummary } from '../contract/asset-types';
import type { IngestTestResultInput } from '../contract/inputs';
import { testWorkflowId } from '../contract/task-queues';
import { benchBudget, defaultClusterRows } from './budget';
import { benchScaleRows, runScaleBench } from './scale';
import { benchStreaming } from './streaming';
import { benchStores } from './stores';
import { benchArchivePage } from './archive-page';
import { meets, printTable, writeResults, type BenchRow } from './table';
import { requestsPerMinute } from '../simulator/budget-metrics';
import type { BenchApi, BenchIngest } from './support';

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
async function ingest(h: Harness, sim: BenchApi, request: IngestTestResultInput, env: Record<string, string> = {}): Promise<RunResult> {
  const client0 = sim.scenario.clients[0];
  const settings = loadSettings({
    UT_API_BASE_URL: sim.baseUrl,
    UT_TOKEN_URL: sim.tokenUrl,
    UT_CLIENT_ID: client0.clientId,
    UT_CLIENT_SECRET: client0.clientSecret,
    UT_RATE_LIMIT_PER_MINUTE: String(Math.round(requestsPerMinute(sim.scenario.rateLimit))),
    UT_POLL_INITIAL_DELAY_MS: '200',
    UT_POLL_MAX_DELAY_MS: '1000',
    UT_RETRY_INITIAL_INTERVAL_MS: '200',
    TEMPORAL_ADDRESS: h.temporal.address,
    UT_TASK_QUEUE: `ut-media-bench-${crypto.randomUUID().slice(0, 8)}`,
    ...env,
  });
  // A row may run on a server of its own (env TEMPORAL_ADDRESS), e.g. one with the server's defaults.
  const address = settings.temporalAddress ?? h.temporal.address;
  const workerConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      scale: { type: 'boolean', default: false },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'Usage: node dist/bench/run.js [--quick | --scale] [--only budget,cluster,streaming,stores,scale,page]   ' +
        '(after npm run build; npm run bench does both; --scale: see bench/scale.ts)',
    );
    return;
  }
  const parts = new Set((values.only ?? 'budget,cluster,streaming,stores,scale,page').split(',').map((p) => p.trim()));
  for (const part of parts)
    if (!['budget', 'cluster', 'streaming', 'stores', 'scale', 'page'].includes(part))
      throw new Error(`--only: "${part}" is not one of budget, cluster, streaming, stores, scale, page`);
  if (values.scale && values.only !== undefined) throw new Error('--only picks rows of the main table; --scale runs the scale runs alone');
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first`);
  // Before anything creates the runtime: keep SDK logs (e.g. "no workflows registered" on the API queue) out of the figures.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } } });
  const started = Date.now();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-bench-'));
  const [temporal, gcs] = await Promise.all([startTemporalDevServer({ preciseTimers: true }), startFakeGcsServer()]);
  const savedEmulator = process.env.STORAGE_EMULATOR_HOST;
  process.env.STORAGE_EMULATOR_HOST = gcs.url;
  const h: Harness = { temporal, gcs, scratch };
  let ok: boolean;
  try {
    await createGcsClient().createBucket(BUCKET);
    console.log(
      `ut-media bench${values.quick ? ' (--quick)' : ''}${values.scale ? ' (--scale)' : ''}: ` +
        `node ${process.version}, ${os.cpus().length} CPUs, Temporal dev server ${temporal.address}, fake-gcs-server ${gcs.url}`,
    );
    if (values.scale) {
      ok = await runScaleBench({
        temporalAddress: temporal.address,
        namespace: temporal.namespace,
        scratch,
        ingest: (sim, request, env) => ingest(h, sim, request, env),
      });
    } else {
      const bound: BenchIngest = (sim, request, env) => ingest(h, sim, request, env);
      const rows: BenchRow[] = [];
      if (parts.has('budget')) rows.push(...(await benchBudget(bound, scratch, values.quick)));
      if (parts.has('cluster') && !values.quick) rows.push(...(await defaultClusterRows(bound, scratch)));
      if (parts.has('streaming')) rows.push(...(await benchStreaming(bound, scratch, values.quick)));
      if (parts.has('stores')) rows.push(...(await benchStores(bound, scratch, gcs, BUCKET, values.quick)));
      if (parts.has('page')) rows.push(...(await benchArchivePage(scratch)));
      if (parts.has('scale') && !values.quick)
        rows.push(...(await benchScaleRows({ temporalAddress: temporal.address, namespace: temporal.namespace, scratch, ingest: bound })));
      printTable(rows);
      const file = writeResults(rows, {
        quick: values.quick,
        node: process.version,
        cpus: os.cpus().length,
        seconds: Math.round((Date.now() - started) / 1000),
      });
      console.log(`\n  results: ${path.relative(process.cwd(), file)}`);
      ok = rows.every((r) => meets(r) !== false);
    }
  } finally {
    await Promise.allSettled([temporal.stop(), gcs.stop()]);
    fs.rmSync(scratch, { recursive: true, force: true });
    if (savedEmulator === undefined) delete process.env.STORAGE_EMULATOR_HOST;
    else process.env.STORAGE_EMULATOR_HOST = savedEmulator;
  }
  console.log(`\ndone in ${((Date.now() - started) / 1000).toFixed(0)} s${ok ? '' : ' (some targets were missed or runs failed: see above)'}`);
  process.exitCode = ok ? 0 : 1;
}

main().catch((err) => {
  console.error(`bench: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
