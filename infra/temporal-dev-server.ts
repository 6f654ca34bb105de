import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { locateTool } from '../scripts/tools';

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
}

export interface RunningDevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

/**
 * The server-side rate limit of a task queue is split across its partitions; with one partition the
 * whole `maxTaskQueueActivitiesPerSecond` applies to the one queue (see README, "API budget").
 * Fairness keys (one per test) share the API queue between tests only when fairness is enabled.
 */
export const DEV_SERVER_ARGS = [
  '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1',
  '--dynamic-config-value', 'matching.enableFairness=true',
];

const PRECISE_TIMER_ARGS = ['--dynamic-config-value', 'history.timerProcessorMaxTimeShift="1ms"'];

/** Starts `temporal server start-dev` from the binary install-tools found, or the SDK's download as a last resort. */
export async function startTemporalDevServer(options: DevServerOptions = {}): Promise<RunningDevServer> {
  const found = locateTool('temporal');
  const namespace = options.namespace ?? 'default';
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: found ? { type: 'existing-path', path: found.path } : { type: 'cached-download' },
      ip: '127.0.0.1',
      port: options.port,
      ui: options.ui ?? false,
      uiPort: options.uiPort,
      dbFilename: options.dbFilename,
      namespace,
      searchAttributes: options.searchAttributes === false ? [] : SEARCH_ATTRIBUTES,
      extraArgs: options.preciseTimers ? [...DEV_SERVER_ARGS, ...PRECISE_TIMER_ARGS] : DEV_SERVER_ARGS,
      log: { format: 'json', level: 'error' },
    },
  });
  const address = env.address;
  const uiUrl = options.ui ? `http://127.0.0.1:${options.uiPort ?? Number(address.split(':').pop()) + 1000}` : undefined;
  return { address, namespace, uiUrl, stop: () => env.teardown() };
}
