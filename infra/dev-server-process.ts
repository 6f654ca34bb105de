import { spawn } from 'node:child_process';
import { Connection } from '@temporalio/client';
import net from 'node:net';
import { forgetOwner, recordOwner, stopOrphanedServer } from './dev-server-owner';
import { ExitedBeforeReadyError, startOnFreePort } from './net';

export interface DevServerProcessOptions {
  executable: string;
  port?: number;
  uiPort?: number;
  ui: boolean;
  dbFilename?: string;
  namespace: string;
  searchAttributes: string[];
  extraArgs: string[];
}

export interface DevServerProcess {
  address: string;
  pid: number;
  /** The pid of a server a killed owner had left running on the same state file, stopped first. */
  stoppedOrphan?: number;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

/**
 * `temporal server start-dev` as our own child process, its output kept off our stdout (the SDK's
 * launcher lets the server's banner into the parent's stdout, which `--json` must keep clean).
 */
export async function spawnDevServer(options: DevServerProcessOptions): Promise<DevServerProcess> {
  const stoppedOrphan = options.dbFilename ? await stopOrphanedServer(options.dbFilename) : undefined;
  const server = await (options.port !== undefined ? spawnOn(options.port, options) : startOnFreePort((port) => spawnOn(port, options)));
  return { ...server, stoppedOrphan };
}

async function spawnOn(port: number, options: DevServerProcessOptions): Promise<DevServerProcess> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', options.namespace, '--log-format', 'json', '--log-level', 'error'];
  if (options.ui) args.push('--ui-port', String(options.uiPort ?? port + 1000));
  else args.push('--headless');
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  for (const name of options.searchAttributes) args.push('--search-attribute', `${name}=Keyword`);
  args.push(...options.extraArgs);
  // Its own process group: a Ctrl-C on the terminal reaches us, and we stop the server after the worker.
  const child = spawn(options.executable, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const { dbFilename } = options;
  if (dbFilename && child.pid) recordOwner(dbFilename, child.pid);
  // Whatever way this process ends (short of SIGKILL: then the next start stops it), the server ends with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let errorOutput = '';
  child.stderr.on('data', (chunk: Buffer) => (errorOutput = (errorOutput + chunk.toString()).slice(-4000)));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      if (dbFilename && child.pid) forgetOwner(dbFilename, child.pid);
      process.off('exit', killOnExit);
      resolve();
    }),
  );
  child.once('error', (err) => (errorOutput += String(err)));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answersAsTemporal(port))) {
    if (exitCode !== undefined || Date.now() > deadline) {
      child.kill('SIGKILL');
      const Failure = exitCode !== undefined ? ExitedBeforeReadyError : Error;
      throw new Failure(`the Temporal dev server (${options.executable}) did not start on 127.0.0.1:${port}${exitCode !== undefined ? ` (exit ${exitCode})` : ''}: ${errorOutput.trim().split('\n').slice(-3).join(' | ') || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address: `127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Temporal's frontend answers there (not some other server that took the port first). */
async function answersAsTemporal(port: number): Promise<boolean> {
  if (!(await accepts(port))) return false;
  try {
    const connection = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 2000 });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
