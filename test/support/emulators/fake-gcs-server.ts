import { spawn, ChildProcess } from 'node:child_process';
import { locateTool } from '../../../scripts/tools';
import { startFailure, startOnFreePort, waitForHttp } from '../../../infra/net';

export interface RunningFakeGcs {
  /** `http://127.0.0.1:PORT`, the value for STORAGE_EMULATOR_HOST. */
  url: string;
  /** The emulator's process, for the bench's CPU figures. */
  pid: number;
  stop(): Promise<void>;
}

/** Starts fake-gcs-server on a free loopback port, in memory, over plain HTTP. */
export async function startFakeGcsServer(): Promise<RunningFakeGcs> {
  const found = locateTool('fake-gcs-server');
  if (!found) throw new Error('fake-gcs-server not found: run `node scripts/install-tools.js`');
  return startOnFreePort((port) => startOn(port, found.path));
}

async function startOn(port: number, executable: string): Promise<RunningFakeGcs> {
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    executable,
    ['-scheme', 'http', '-host', '127.0.0.1', '-port', String(port), '-backend', 'memory', '-external-url', url, '-log-level', 'error'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForHttp(
      `${url}/storage/v1/b`,
      20_000,
      () => child.exitCode !== null,
      async (res) => res.ok && (await res.text()).includes('storage#buckets'),
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw startFailure('fake-gcs-server', err, stderr);
  }
  return {
    pid: child.pid!,
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
