/**
 * A real HTTP server (node:http, 127.0.0.1, a free port) that answers every Results API request
 * with the answer a test scripted, records what was asked, and serves the media links of
 * media-links.ts, so the client and the activities run over real sockets.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerMediaLink } from './media-links';

export interface ScriptedAnswer {
  status: number;
  contentType: string;
  /** The body exactly as sent (see jsonText for JSON that keeps -0). */
  body: string;
  headers?: Record<string, string>;
}

export interface ScriptedApiServer {
  baseUrl: string;
  /** Every API request from now on gets this answer. */
  answerWith(answer: ScriptedAnswer): void;
  /** API requests received since the last answerWith. */
  requests(): URL[];
  close(): Promise<void>;
}

export async function startScriptedApiServer(): Promise<ScriptedApiServer> {
  let answer: ScriptedAnswer = { status: 503, contentType: 'application/json', body: '{"message":"no answer scripted"}' };
  let received: URL[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://scripted.invalid');
    if (answerMediaLink(req, res, url)) return;
    received.push(url);
    const body = Buffer.from(answer.body, 'utf8');
    res.writeHead(answer.status, { ...answer.headers, 'content-type': answer.contentType, 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    answerWith(next) {
      answer = next;
      received = [];
    },
    requests: () => [...received],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** JSON text of a value, keeping -0 as `-0` (JSON.stringify writes 0): a server may send either. */
export function jsonText(value: unknown): string {
  const negativeZero = `-0 ${randomUUID()}`;
  const text = JSON.stringify(value, (_key, v: unknown) => (Object.is(v, -0) ? negativeZero : v));
  return text.split(JSON.stringify(negativeZero)).join('-0');
}
