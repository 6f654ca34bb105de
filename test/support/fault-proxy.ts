import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request: pass it on, answer an error itself, never answer, or cut the answer. */
export type ProxyAction = 'pass' | { status: number } | 'hang' | 'cut';

export interface ProxiedRequest {
  method: string;
  url: string;
  /** 1-based count of requests the proxy has seen. */
  seq: number;
}

export interface FaultProxy {
  url: string;
  /** Every request seen, with the action taken. */
  log: Array<ProxiedRequest & { action: string }>;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a server (fake-gcs-server) that injects the faults a real network and a
 * real store produce: 5xx answers, requests that are never answered, and answers cut after the
 * server did the work. `decide` picks the action per request.
 */
export async function startFaultProxy(target: string, decide: (req: ProxiedRequest) => ProxyAction): Promise<FaultProxy> {
  const upstream = new URL(target);
  const log: FaultProxy['log'] = [];
  const hung = new Set<http.ServerResponse>();
  let seq = 0;
  const server = http.createServer((req, res) => {
    const seen: ProxiedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', seq: ++seq };
    const action = decide(seen);
    log.push({ ...seen, action: typeof action === 'string' ? action : String(action.status) });
    if (action === 'hang') {
      hung.add(res);
      req.resume();
      return;
    }
    if (typeof action === 'object') {
      req.resume();
      req.once('end', () => {
        res.writeHead(action.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: action.status, message: 'injected by the fault proxy' } }));
      });
      return;
    }
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (action === 'cut') {
        // The server did the work; the client never learns the outcome.
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.once('data', (chunk: Buffer) => {
          res.write(chunk.subarray(0, Math.max(1, chunk.length >> 1)));
          res.socket?.destroy();
          answer.destroy();
        });
        answer.once('end', () => res.socket?.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.socket?.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    async close() {
      for (const res of hung) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
