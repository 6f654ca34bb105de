import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { Settings } from '../config/settings';
import { startTemporalDevServer, type RunningDevServer } from '../infra/temporal-dev-server';
import { findServing, StateFileInUseError } from '../infra/dev-server-owner';
import { embeddedDbFile, embeddedStateDir, findRunning } from './embedded-state';
import { CliError, EXIT } from './exit-codes';

/** Where `status` reads runs from; `note` says so to the user. */
export interface StatusSource {
  client: Client;
  note?: string;
  /** No worker can answer queries here (the embedded state read while no `ingest` runs). */
  workerless: boolean;
  /** Whether a server that stopped answering may answer again (an embedded `ingest` that ended takes its server along). */
  serverMayReturn(): boolean;
  close(): Promise<void>;
}

/**
 * TEMPORAL_ADDRESS; else the embedded server another `ingest` runs in this folder now; else the
 * embedded state it left in ./.ut-media/, read through a dev server started for the purpose (no
 * worker: a run left unfinished stays paused). Undefined when there is none of these.
 */
export async function openStatusSource(settings: Settings, cwd = process.cwd()): Promise<StatusSource | undefined> {
  const connect = async (address: string, namespace: string, extra: Partial<StatusSource> & { stop?: () => Promise<void> } = {}): Promise<StatusSource> => {
    const connection = await Connection.connect({ address });
    return {
      client: new Client({ connection, namespace }),
      note: extra.note,
      workerless: extra.workerless ?? false,
      serverMayReturn: extra.serverMayReturn ?? (() => true),
      async close() {
        await connection.close();
        await extra.stop?.();
      },
    };
  };
  if (settings.temporalAddress) return connect(settings.temporalAddress, settings.namespace);
  const dir = embeddedStateDir(cwd);
  const running = findRunning(dir);
  if (running)
    return connect(running.address, running.namespace, {
      note: `the embedded ingestion running in this folder (pid ${running.pid})`,
      serverMayReturn: () => findRunning(dir)?.address === running.address,
    });
  if (!fs.existsSync(embeddedDbFile(dir))) return undefined;
  // A server on the state file whose `ingest` is starting or stopping (or another `status` reading it).
  const serving = findServing(embeddedDbFile(dir));
  if (serving)
    return connect(serving.address, settings.namespace, {
      note: `the embedded Temporal server of process ${serving.ownerPid} in this folder`,
      serverMayReturn: () => findServing(embeddedDbFile(dir))?.address === serving.address,
    });
  let server: RunningDevServer | undefined;
  try {
    server = await startTemporalDevServer({ dbFilename: embeddedDbFile(dir), namespace: settings.namespace });
    const started = server;
    return await connect(server.address, settings.namespace, {
      note: `the embedded state in ${dir} (no ingest runs here now)`,
      workerless: true,
      stop: () => started.stop(),
    });
  } catch (err) {
    await server?.stop();
    throw err instanceof StateFileInUseError ? new CliError(err.message, EXIT.usage) : err;
  }
}
