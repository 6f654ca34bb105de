import { requestsPerMinute } from '../../simulator/budget-metrics';
import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadSettings, type Settings } from '../../config/settings';
import { runOptionsFromSettings } from '../../config/run-options';
import { startSimulator, type RunningSimulator, type ScenarioInput, type StartSimulatorOptions } from '../../simulator';
import { buildActivityDeps } from '../../workers/activity-deps';
import { createWorkersFromSettings, type UtMediaWorkers } from '../../workers/create-workers';
import type { IngestSummary } from '../../contract/asset-types';
import type { IngestTestResultInput } from '../../contract/inputs';
import { testWorkflowId } from '../../contract/task-queues';
import { harnessValue } from './harness-env';
import { s3TestEnv } from './s3';

/** What the storage clients of in-process workers read from process.env: set for a fixture's lifetime. */
const STORAGE_ENV = [
  'STORAGE_EMULATOR_HOST',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'AZURE_STORAGE_CONNECTION_STRING',
] as const;

/** Settings for fast tests: millisecond polls and retries, the simulator's endpoints and demo client. */
export function testEnv(sim: RunningSimulator, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const client = sim.scenario.clients[0];
  return {
    UT_API_BASE_URL: sim.baseUrl,
    UT_TOKEN_URL: sim.tokenUrl,
    UT_CLIENT_ID: client.clientId,
    UT_CLIENT_SECRET: client.clientSecret,
    UT_RATE_LIMIT_PER_MINUTE: String(requestsPerMinute(sim.scenario.rateLimit)),
    UT_POLL_INITIAL_DELAY_MS: '150',
    UT_POLL_MAX_DELAY_MS: '1000',
    UT_RETRY_INITIAL_INTERVAL_MS: '100',
    UT_HEARTBEAT_TIMEOUT_MS: '5000',
    STORAGE_EMULATOR_HOST: harnessValue('gcsUrl'),
    ...s3TestEnv(),
    AZURE_STORAGE_CONNECTION_STRING: harnessValue('azureConnectionString'),
    TEMPORAL_ADDRESS: harnessValue('temporalAddress'),
    UT_TASK_QUEUE: `ut-media-test-${crypto.randomUUID().slice(0, 8)}`,
    UT_LOG_LEVEL: 'silent',
    ...overrides,
  };
}

export function runOptions(settings: Settings, extra: Partial<NonNullable<IngestTestResultInput['options']>> = {}) {
  return { ...runOptionsFromSettings(settings), ...extra };
}

export interface PipelineFixture {
  sim: RunningSimulator;
  env: NodeJS.ProcessEnv;
  settings: Settings;
  client: Client;
  startWorkers(): Promise<void>;
  ingest(input: Omit<IngestTestResultInput, 'options'> & { options?: IngestTestResultInput['options'] }): Promise<IngestSummary>;
  close(): Promise<void>;
}

/** A simulator, a client of the shared dev server and (optionally) in-process workers on a fresh task queue. */
export async function createPipelineFixture(
  scenario: ScenarioInput,
  envOverrides: Record<string, string> = {},
  simulatorOptions: Omit<StartSimulatorOptions, 'scenario'> = {},
): Promise<PipelineFixture> {
  const sim = await startSimulator({ ...simulatorOptions, scenario });
  const env = testEnv(sim, envOverrides);
  const settings = loadSettings(env);
  const connection = await Connection.connect({ address: settings.temporalAddress! });
  const client = new Client({ connection, namespace: settings.namespace });
  const running: Array<{ workers: UtMediaWorkers; done: Promise<void>; connection: NativeConnection }> = [];
  // In-process workers build their storage clients from process.env, as a worker process would.
  const savedStorageEnv = STORAGE_ENV.map((name) => [name, process.env[name]] as const);
  for (const name of STORAGE_ENV) {
    if (env[name] === undefined) delete process.env[name];
    else process.env[name] = env[name];
  }
  return {
    sim,
    env,
    settings,
    client,
    async startWorkers() {
      const workerConnection = await NativeConnection.connect({ address: settings.temporalAddress! });
      const workers = await createWorkersFromSettings(workerConnection, settings, buildActivityDeps(settings), harnessValue('workflowBundle'));
      running.push({ workers, done: workers.run(), connection: workerConnection });
    },
    async ingest(input) {
      const handle = await client.workflow.start('ingestTestResult', {
        taskQueue: settings.taskQueue,
        workflowId: `${testWorkflowId(input.testId)}-${crypto.randomUUID().slice(0, 6)}`,
        args: [{ ...input, options: input.options ?? runOptions(settings) }],
      });
      return (await handle.result()) as IngestSummary;
    },
    async close() {
      for (const r of running) r.workers.shutdown();
      await Promise.allSettled(running.map((r) => r.done));
      await Promise.allSettled(running.map((r) => r.connection.close()));
      await connection.close();
      await sim.close();
      for (const [name, value] of savedStorageEnv) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}
