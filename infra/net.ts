import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A server process ended before it answered: most often the port `freePort` found was taken by
 * another process in the moment between, so the caller may start it again on another port.
 */
export class ExitedBeforeReadyError extends Error {
  override name = 'ExitedBeforeReadyError';
}

export const PORT_ATTEMPTS = 3;

/**
 * Runs `start` on a free port, and again on a fresh one when the server exited before answering.
 * Servers started side by side (ours and the ones they spawn) all pick ports the same way, so two of
 * them can pick the same one.
 */
export async function startOnFreePort<T>(start: (port: number) => Promise<T>, attempts = PORT_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (err) {
      if (!(err instanceof ExitedBeforeReadyError) || attempt >= attempts) throw err;
    }
  }
}

/**
 * Resolves once `url` answers in a way `isOurs` recognises (by default any HTTP status); rejects
 * after `timeoutMs` or when `gaveUp()` says so. An answer from another server that took the port
 * does not count: the caller's process then exits, and `gaveUp` lets it start again elsewhere.
 */
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  gaveUp: () => boolean = () => false,
  isOurs: (res: Response) => Promise<boolean> | boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (gaveUp()) throw new ExitedBeforeReadyError(`process exited before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (await isOurs(res)) return;
      lastError = `another server answered (${res.status} ${res.headers.get('server') ?? ''})`;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${String(lastError)})`);
}

/** `what did not start`, with the server's last words, keeping whether it may be retried on another port. */
export function startFailure(what: string, cause: unknown, output: string): Error {
  const message = `${what} did not start: ${(cause as Error).message}\n${output}`;
  return cause instanceof ExitedBeforeReadyError ? new ExitedBeforeReadyError(message) : new Error(message);
}
