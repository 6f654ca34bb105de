import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { ExitedBeforeReadyError, PORT_ATTEMPTS, startFailure, startOnFreePort, waitForHttp } from '../../infra/net';

/** A real HTTP server in a child process on `port`; it exits at once when the port is taken. */
async function startChildServer(port: number): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`], { stdio: 'ignore' });
  try {
    await waitForHttp(
      `http://127.0.0.1:${port}/`,
      20_000,
      () => child.exitCode !== null,
      async (res) => (await res.text()) === 'ok',
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw startFailure('child server', err, '');
  }
  return { port, stop: () => child.kill('SIGKILL') };
}

describe('starting a server on a free port', () => {
  let taken: Server;
  let takenPort: number;
  beforeAll(async () => {
    // The port's holder answers HTTP too, as another of the servers started side by side would.
    taken = createServer((_req, res) => res.writeHead(404).end('not ours'));
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    takenPort = (taken.address() as { port: number }).port;
  });
  afterAll(() => {
    taken.closeAllConnections();
    return new Promise<void>((resolve) => taken.close(() => resolve()));
  });

  it('starts again on another port when the port it was given was taken in the meantime, though the holder answers HTTP', async () => {
    const tried: number[] = [];
    const server = await startOnFreePort((port) => {
      tried.push(port);
      // The first attempt loses the race: someone else holds the port by the time the server binds it.
      return startChildServer(tried.length === 1 ? takenPort : port);
    });
    try {
      expect(tried).toHaveLength(2);
      expect(server.port).not.toBe(takenPort);
    } finally {
      server.stop();
    }
  });

  it('says the server exited, by type, when the port is taken', async () => {
    await expect(startChildServer(takenPort)).rejects.toBeInstanceOf(ExitedBeforeReadyError);
  });

  it(`gives up after ${PORT_ATTEMPTS} attempts`, async () => {
    let attempts = 0;
    const failing = startOnFreePort(async () => {
      attempts++;
      throw new ExitedBeforeReadyError('exited');
    });
    await expect(failing).rejects.toBeInstanceOf(ExitedBeforeReadyError);
    expect(attempts).toBe(PORT_ATTEMPTS);
  });

  it('does not retry a failure a new port cannot mend', async () => {
    let attempts = 0;
    const failing = startOnFreePort(async () => {
      attempts++;
      throw new Error('did not answer within 20000 ms');
    });
    await expect(failing).rejects.toThrow('did not answer');
    expect(attempts).toBe(1);
  });
});
