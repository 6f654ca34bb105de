import { spawn, ChildProcess } from 'node:child_process';
import { locateTool } from '../../../scripts/tools';
import { startFailure, startOnFreePort, waitForHttp } from '../../../infra/net';

export interface RunningMotoServer {
  /** `http://127.0.0.1:PORT`, the value for AWS_ENDPOINT_URL_S3. */
  url: string;
  /** The emulator's process, for the bench's CPU figures. */
  pid: number;
  stop(): Promise<void>;
}

/** Starts moto's server (an S3-compatible emulator, state in memory) on a free loopback port. */
export async function startMotoServer(): Promise<RunningMotoServer> {
  const found = locateTool('moto');
  if (!found) throw new Error('moto_server not found: run `node scripts/install-tools.js`');
  return startOnFreePort((port) => startOn(port, found.path, found.env));
}

async function startOn(port: number, executable: string, toolEnv: NodeJS.ProcessEnv | undefined): Promise<RunningMotoServer> {
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(executable, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // moto keeps an object in memory up to this size and spills larger ones to a temp file; its
    // default (5 MiB) spills every 8 MiB part, which makes multipart uploads several times slower.
    env: { MOTO_S3_DEFAULT_KEY_BUFFER_SIZE: String(16 * 1024 * 1024), ...process.env, ...toolEnv },
  });
  let stderr = '';
  // moto logs every request on stderr: keep only the tail, for a start-up failure.
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForHttp(
      `${url}/moto-api/`,
      30_000,
      () => child.exitCode !== null,
      async (res) => res.ok && (await res.text()).includes('<title>Moto</title>'),
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw startFailure('moto_server', err, stderr);
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
