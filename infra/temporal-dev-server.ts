import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../contract/search-attributes';
import { locateTool } from '../scripts/tools';
import { spawnDevServer } from './dev-server-process';

export interface DevServerOptions {
  /** SQLite file for state that survives restarts; in memory when unset. */
  dbFilename?: string;
  port?: number;
  /** Serve the Temporal UI too (on `port + 1000` unless `uiPort` is given). */
  ui?: boolean;
  uiPort?: number;
  namespace?: string;
  /**
   * Fire timers within milliseconds instead of the server's default 1 s resolution, so tests and
   * the bench can run thousands of millisecond polls. Not needed for real delays.
   */
  preciseTimers?: boolean;
  /** Register the project's search attributes at start (a cluster nobody prepared: false). @default true */
  searchAttributes?: boolean;
  /** A server as users start it, with none of DEV_SERVER_ARGS (4 task-queue partitions, no fairness). @default false */
  serverDefaults?: boolean;
  /** More `temporal server start-dev` arguments (tests: a cluster already full of other attributes). */
  extraArgs?: string[];
}

export interface RunningDevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  /** The server's process id, when we spawned it ourselves. */
  pid?: number;
  /** A server a killed owner had left running on the same `dbFilename`, stopped before this one started. */
  stoppedOrphan?: number;
  stop(): Promise<void>;
}

/**
 * The server-side rate limit of a task queue is split across its partitions; with one partition the
 * whole `maxTaskQueueActivitiesPerSecond` applies to the one queue (see docs/api-budget.md).
 * Fairness keys (one per test) share the API queue between tests only when fairness is enabled.
 */
export const DEV_SERVER_ARGS = [
  '--dynamic-config-value',
  'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value',
  'matching.numTaskqueueWritePartitions=1',
  '--dynamic-config-value',
  'matching.enableFairness=true',
];

const PRECISE_TIMER_ARGS = ['--dynamic-config-value', 'history.timerProcessorMaxTimeShift="1ms"'];

/** Starts `temporal server start-dev` from the binary install-tools found, or the SDK's download as a last resort. */
export async function startTemporalDevServer(options: DevServerOptions = {}): Promise<RunningDevServer> {
  const found = locateTool('temporal');
  const namespace = options.namespace ?? 'default';
  const searchAttributes = options.searchAttributes === false ? [] : SEARCH_ATTRIBUTES;
  const extraArgs = [...(options.serverDefaults ? [] : DEV_SERVER_ARGS), ...(options.preciseTimers ? PRECISE_TIMER_ARGS : []), ...(options.extraArgs ?? [])];
  const uiUrlOf = (address: string) => (options.ui ? `http://127.0.0.1:${options.uiPort ?? Number(address.split(':').pop()) + 1000}` : undefined);
  if (found) {
    const server = await spawnDevServer({
      executable: found.path,
      port: options.port,
      ui: options.ui ?? false,
      uiPort: options.uiPort,
      dbFilename: options.dbFilename,
      namespace,
      searchAttributes: searchAttributes.map((a) => a.name),
      extraArgs,
    });
    return {
      address: server.address,
      namespace,
      uiUrl: uiUrlOf(server.address),
      pid: server.pid,
      stoppedOrphan: server.stoppedOrphan,
      stop: () => server.stop(),
    };
  }
  // No binary here: the SDK downloads one (its launcher lets the server's banner reach our stdout).
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: '127.0.0.1',
      port: options.port,
      ui: options.ui ?? false,
      uiPort: options.uiPort,
      dbFilename: options.dbFilename,
      namespace,
      searchAttributes,
      extraArgs,
      log: { format: 'json', level: 'error' },
    },
  });
  return { address: env.address, namespace, uiUrl: uiUrlOf(env.address), stop: () => env.teardown() };
}
