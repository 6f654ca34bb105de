import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { handleApi } from './api-gateway';
import type { SimulatorContext } from './context';
import { apiError, sendJson } from './http-util';
import { TOKEN_PATH } from './oauth';
import { handleMedia, REDIRECT_PREFIX } from './routes-media';

/**
 * The simulator's HTTP server: one `node:http` server for the token endpoint, the Results API,
 * the media links and the control endpoints:
 *  - `GET /__simulator/stats` → the stats snapshot (JSON);
 *  - `POST /__simulator/reset-stats` → 204, clears the stats;
 *  - `POST /__simulator/withdraw?id=<uuid>&id=...` → 204, those sessions or reels leave the API (400 for an unknown id);
 *  - `POST /__simulator/restore?id=<uuid>&id=...` → 204, they come back.
 * The control endpoints are for tests and the bench: no auth, not counted anywhere.
 * Request lines are logged (when a logger is given) by path only: query strings carry signatures.
 */

function route(ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const path = url.pathname;
  if (path.startsWith('/api/')) return handleApi(ctx, req, res, url);
  // Where a redirecting link sends the client: the same signed object under another path.
  if (path.startsWith(REDIRECT_PREFIX + '/media/')) return handleMedia(ctx, req, res, new URL(path.slice(REDIRECT_PREFIX.length) + url.search, url), true);
  if (path.startsWith('/media/')) return handleMedia(ctx, req, res, url);
  if (path === TOKEN_PATH && ctx.faults.takeTokenOutage()) {
    ctx.stats.token({ at: Date.now(), status: 503 });
    return sendJson(res, 503, { error: 'temporarily_unavailable', error_description: 'The authorization server is temporarily unavailable' });
  }
  if (path === TOKEN_PATH) {
    ctx.tokens
      .handle(req, res, (entry) => ctx.stats.token(entry))
      .catch((err: Error) => {
        if (!res.headersSent) sendJson(res, 400, { error: 'invalid_request', error_description: err.message });
        else res.destroy();
      });
    return;
  }
  if (path === '/__simulator/stats' && req.method === 'GET') return sendJson(res, 200, ctx.stats.snapshot(), { 'cache-control': 'no-store' });
  if (path === '/__simulator/reset-stats' && req.method === 'POST') {
    ctx.stats.reset();
    res.writeHead(204).end();
    return;
  }
  if ((path === '/__simulator/withdraw' || path === '/__simulator/restore') && req.method === 'POST') {
    const ids = url.searchParams.getAll('id');
    try {
      if (path === '/__simulator/withdraw') ctx.world.withdraw(ids);
      else ctx.world.restore(ids);
    } catch (err) {
      return sendJson(res, 400, apiError(400, (err as Error).message));
    }
    res.writeHead(204).end();
    return;
  }
  sendJson(res, 404, apiError(404, `Cannot ${req.method} ${path}`));
}

export function createSimulatorServer(ctx: SimulatorContext): Server {
  const server = createServer((req, res) => {
    if (ctx.log) {
      const started = Date.now();
      const path = (req.url ?? '/').split('?')[0];
      res.once('close', () => ctx.log?.(`${req.method} ${path} ${res.statusCode} ${Date.now() - started}ms${res.writableFinished ? '' : ' (cut)'}`));
    }
    try {
      route(ctx, req, res);
    } catch (err) {
      ctx.log?.(`simulator: internal error: ${(err as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, apiError(500, 'Internal server error'));
      else res.destroy();
    }
  });
  // Far above clients' own idle timeouts (undici: 4 s), so a client never reuses a connection the
  // server is closing at that moment (ECONNRESET on a slow, busy machine).
  server.keepAliveTimeout = 65_000;
  return server;
}
