/**
 * Azurite, Microsoft's Azure Storage emulator (npm `azurite`, a devDependency), serving only the
 * Blob service, for tests and the bench. It answers for the well-known development account.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFailure, startOnFreePort, waitForHttp } from '../../../infra/net';

/** Azurite's fixed development account and key (published in Azurite's and Azure's docs). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Keep blobs in this folder instead of in memory. */
  location?: string;
}

export interface RunningAzurite {
  /** `http://127.0.0.1:PORT/devstoreaccount1`: the account's blob endpoint. */
  blobEndpoint: string;
  /** The value for AZURE_STORAGE_CONNECTION_STRING. */
  connectionString: string;
  /** The emulator's process, for the bench's CPU figures. */
  pid: number;
  stop(): Promise<void>;
}

export function azuriteConnectionString(blobEndpoint: string): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};`;
}

/** Starts `azurite-blob` on a free loopback port and waits until it answers. */
export function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  return startOnFreePort((port) => startOn(port, options));
}

async function startOn(port: number, options: AzuriteOptions): Promise<RunningAzurite> {
  const main = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'blob', 'main.js');
  // In memory, Azurite takes no --location; it still runs in a scratch folder of its own.
  const workspace = options.location ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-azurite-'));
  const args = [
    main,
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(port),
    ...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']),
    // The SDK may speak a newer service version than this Azurite knows; the calls we use exist in both.
    '--skipApiVersionCheck',
    // Azurite phones home unless told not to; tests must reach nothing outside this machine.
    '--disableTelemetry',
    '--silent',
  ];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: workspace, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  try {
    await waitForHttp(
      `${blobEndpoint}?comp=list`,
      30_000,
      () => child.exitCode !== null,
      (res) => (res.headers.get('server') ?? '').startsWith('Azurite-Blob'),
    );
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    if (!options.location) fs.rmSync(workspace, { recursive: true, force: true });
    throw startFailure('azurite-blob', err, stderr);
  }
  return {
    pid: child.pid!,
    blobEndpoint,
    connectionString: azuriteConnectionString(blobEndpoint),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      if (!options.location) fs.rmSync(workspace, { recursive: true, force: true });
    },
  };
}
