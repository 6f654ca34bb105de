import { Client, Connection } from '@temporalio/client';
import { requireCredentials, type Settings } from '../config/settings';
import { StateFileInUseError } from '../infra/dev-server-owner';
import { startEmbeddedCluster, type EmbeddedCluster } from './embedded-cluster';
import { embeddedStateDir, findRunning } from './embedded-state';
import { CliError, EXIT } from './exit-codes';
import { ensureSearchAttributes } from './search-attributes-check';
import { asUsageError } from './validate-ingest';

/** A client of TEMPORAL_ADDRESS, or of the embedded server and worker started for this command. */
export interface TemporalSession {
  client: Client;
  embedded: boolean;
  /** Whether a server that stopped answering may answer again (an embedded one that ended will not). */
  serverMayReturn(): boolean;
  close(): Promise<void>;
}

/**
 * Connects to TEMPORAL_ADDRESS, or starts the embedded cluster (state in ./.ut-media/), then checks
 * (and where allowed registers) the search attributes before anything is started.
 */
export async function openTemporalSession(settings: Settings, log: (line: string) => void): Promise<TemporalSession> {
  let cluster: EmbeddedCluster | undefined;
  let connection: Connection | undefined;
  try {
    if (!settings.temporalAddress) {
      // Embedded runs do the work here, so credentials must be present before anything starts.
      try {
        requireCredentials(settings);
      } catch (err) {
        asUsageError(err);
      }
      // One server per state file: a second one on the same SQLite database would corrupt both runs.
      const other = findRunning(embeddedStateDir());
      if (other) {
        throw new CliError(
          `another ut-media (pid ${other.pid}) runs the embedded Temporal server of this folder (./.ut-media/): ` +
            `wait for it to end, follow it with \`ut-media status --test <id>\` here, or run from another folder`,
          EXIT.usage,
        );
      }
      log('Starting the embedded Temporal dev server and worker (state in ./.ut-media/) ...');
      cluster = await startEmbeddedCluster(settings).catch((err: unknown) => {
        // Another ut-media in this folder between starting its server and announcing it.
        throw err instanceof StateFileInUseError ? new CliError(err.message, EXIT.usage) : err;
      });
      if (cluster.stoppedOrphan)
        log(`Stopped the Temporal dev server (pid ${cluster.stoppedOrphan}) a killed ut-media had left running on ./.ut-media/; its runs go on here.`);
    }
    connection = await Connection.connect({ address: settings.temporalAddress ?? cluster!.address });
    await ensureSearchAttributes(connection, settings.namespace, log);
  } catch (err) {
    await connection?.close();
    await cluster?.stop();
    throw err;
  }
  const open = { connection, cluster };
  return {
    client: new Client({ connection, namespace: settings.namespace }),
    embedded: Boolean(cluster),
    serverMayReturn: () => open.cluster?.serverRunning() ?? true,
    async close() {
      await open.connection.close();
      await open.cluster?.stop();
    },
  };
}
