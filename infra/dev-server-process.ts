import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { Connection } from '@temporalio/client';
import net from 'node:net';
import { claimStateFile, recordServer, releaseStateFile } from './dev-server-owner';
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
  const { dbFilename } = options;
  const { stoppedOrphan } = dbFilename ? await claimStateFile(dbFilename) : {};
  try {
    const server = await (options.port !== undefined ? spawnOn(options.port, options) : startOnFreePort((port) => spawnOn(port, options)));
    return { ...server, stoppedOrphan };
  } catch (err) {
    if (dbFilename) releaseStateFile(dbFilename);
    throw err;
  }
}

async function spawnOn(port: number, options: DevServerProcessOptions): Promise<DevServerProcess> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    options.namespace,
    '--log-format',
    'json',
    '--log-level',
    'error',
  ];
  if (options.ui) args.push('--ui-port', String(options.uiPort ?? port + 1000));
  else args.push('--headless');
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  for (const name of options.searchAttributes) args.push('--search-attribute', `${name}=Keyword`);
  args.push(...options.extraArgs);
  // Its own process group: a Ctrl-C on the terminal reaches us, and we stop the server after the worker.
  const child = spawn(options.executable, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const { dbFilename } = options;
  if (dbFilename && child.pid) recordServer(dbFilename, child.pid, `127.0.0.1:${port}`);
  // Whatever way this process ends (short of SIGKILL: then the next start stops it), the server ends with it.
  const killOnExit = () => {
    child.kill('SIGKILL');
    if (dbFilename) releaseStateFile(dbFilename);
  };
  process.once('exit', killOnExit);
  let errorOutput = '';
  child.stderr.on('data', (chunk: Buffer) => (errorOutput = (errorOutput + chunk.toString()).slice(-4000)));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      process.off('exit', killOnExit);
      resolve();
    }),
  );
  child.once('error', (err) => (errorOutput += String(err)));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answersAsTemporal(port, child.pid))) {
    if (exitCode !== undefined || Date.now() > deadline) {
      child.kill('SIGKILL');
      const Failure = exitCode !== undefined ? ExitedBeforeReadyError : Error;
      throw new Failure(
        `the Temporal dev server (${options.executable}) did not start on 127.0.0.1:${port}${exitCode !== undefined ? ` (exit ${exitCode})` : ''}: ` +
          `${errorOutput.trim().split('\n').slice(-3).join(' | ') || 'no output'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address: `127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      if (exitCode === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (dbFilename) releaseStateFile(dbFilename);
    },
  };
}

/**
 * A Temporal frontend answers on `port` (the client counts any gRPC server as one), and on Linux the
 * listening socket is `pid`'s: not another server's that took the port first.
 */
async function answersAsTemporal(port: number, pid: number | undefined): Promise<boolean> {
  if (!(await accepts(port))) return false;
  const connection = Connection.lazy({ address: `127.0.0.1:${port}`, connectTimeout: 2000 });
  try {
    await connection.ensureConnected();
  } catch {
    return false;
  } finally {
    await connection.close().catch(() => undefined);
  }
  return pid === undefined || listensOn(pid, port);
}

/** Whether `pid` holds the socket listening on `port`; true where /proc cannot tell. */
function listensOn(pid: number, port: number): boolean {
  if (!fs.existsSync('/proc/net/tcp')) return true;
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const listening = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const rows = fs.existsSync(table) ? fs.readFileSync(table, 'utf8').split('\n').slice(1) : [];
    for (const row of rows) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const cols = row.trim().split(/\s+/);
      if (cols.length > 9 && cols[3] === '0A' && cols[1].endsWith(portHex)) listening.add(cols[9]);
    }
  }
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      const target = /^socket:\[(\d+)\]$/.exec(safeReadlink(`/proc/${pid}/fd/${fd}`));
      return target !== null && listening.has(target[1]);
    });
  } catch {
    return true;
  }
}

function safeReadlink(file: string): string {
  try {
    return fs.readlinkSync(file);
  } catch {
    return '';
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
