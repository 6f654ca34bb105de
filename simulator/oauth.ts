import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './http-util';
import { digestOf } from './random';
import type { Scenario } from './scenario';
import type { TokenRequestRecord } from './stats';

/**
 * The OAuth2 client-credentials token endpoint (Okta-like) and the bearer tokens it issues.
 *
 * `POST /oauth2/default/v1/token`, form-encoded `grant_type=client_credentials&scope=studies:read`,
 * client credentials as form fields `client_id`/`client_secret` or HTTP Basic. Checks in order:
 * form content type (400 invalid_request), client (401 invalid_client), grant_type (400
 * invalid_request when missing, unsupported_grant_type otherwise), scope (400 invalid_scope when
 * missing or anything but `studies:read`). Tokens are JWT-shaped (HS256 over a seed-derived key,
 * `sub`/`cid` = client id, `exp`); the server also remembers each one, to expire it to the
 * millisecond and to revoke it.
 */

export const TOKEN_PATH = '/oauth2/default/v1/token';
export const SCOPE = 'studies:read';

export type TokenCheck =
  | { ok: true; clientId: string; token: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked'; clientId?: string; token?: string };

interface TokenRecord {
  clientId: string;
  /** undefined: never expires (static tokens) */
  expiresAtMs?: number;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export class TokenService {
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly revoked = new Set<string>();
  private readonly signingKey: Buffer;

  constructor(
    private readonly scenario: Scenario,
    private readonly issuer: () => string,
  ) {
    this.signingKey = digestOf('jwt-key', scenario.seed);
    const owner = scenario.clients[0]?.clientId ?? 'static-token';
    for (const token of scenario.staticTokens) this.tokens.set(token, { clientId: owner });
  }

  issue(clientId: string, now = Date.now()): { access_token: string; expires_in: number; token_type: 'Bearer'; scope: string } {
    const ttl = this.scenario.tokenTtlSeconds;
    const header = { kid: digestOf('kid', this.scenario.seed).toString('hex').slice(0, 20), alg: 'HS256', typ: 'JWT' };
    const payload = {
      ver: 1,
      jti: `AT.${randomBytes(16).toString('base64url')}`,
      iss: this.issuer(),
      aud: 'api://default',
      iat: Math.floor(now / 1000),
      exp: Math.floor(now / 1000 + ttl),
      cid: clientId,
      scp: [SCOPE],
      sub: clientId,
    };
    const unsigned = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const token = `${unsigned}.${createHmac('sha256', this.signingKey).update(unsigned).digest('base64url')}`;
    this.tokens.set(token, { clientId, expiresAtMs: now + ttl * 1000 });
    return { token_type: 'Bearer', expires_in: ttl, access_token: token, scope: SCOPE };
  }

  /** Checks an `Authorization` header value. */
  authenticate(authorization: string | undefined, now = Date.now()): TokenCheck {
    if (!authorization) return { ok: false, reason: 'missing' };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) return { ok: false, reason: 'malformed' };
    const token = m[1];
    const record = this.tokens.get(token);
    if (!record) return { ok: false, reason: 'unknown' };
    if (this.revoked.has(token)) return { ok: false, reason: 'revoked', clientId: record.clientId, token };
    if (record.expiresAtMs !== undefined && now >= record.expiresAtMs) return { ok: false, reason: 'expired', clientId: record.clientId, token };
    return { ok: true, clientId: record.clientId, token };
  }

  revoke(token: string): void {
    this.revoked.add(token);
  }

  /** Serves the token endpoint; calls `record` once per request (never with a secret or token). */
  async handle(req: IncomingMessage, res: ServerResponse, record: (entry: TokenRequestRecord) => void): Promise<void> {
    const at = Date.now();
    const answer = (status: number, body: object, clientId?: string, headers: Record<string, string> = {}) => {
      record({ at, clientId, status });
      sendJson(res, status, body, { 'cache-control': 'no-store', pragma: 'no-cache', ...headers });
    };
    if (req.method !== 'POST')
      return answer(405, { error: 'invalid_request', error_description: 'The token endpoint accepts POST only.' }, undefined, { allow: 'POST' });
    const body = await readBody(req);
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      return answer(400, { error: 'invalid_request', error_description: 'The request must be application/x-www-form-urlencoded.' });
    }
    const form = new URLSearchParams(body);
    let clientId = form.get('client_id') ?? undefined;
    let clientSecret = form.get('client_secret') ?? undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        // RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
        clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
        clientSecret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
      }
    }
    const client = this.scenario.clients.find((c) => c.clientId === clientId);
    if (!client || client.clientSecret !== clientSecret) {
      return answer(
        401,
        {
          error: 'invalid_client',
          error_description: client ? 'The client secret supplied for a confidential client is invalid.' : 'Client authentication failed.',
        },
        clientId,
        basic ? { 'www-authenticate': 'Basic realm="simulator"' } : {},
      );
    }
    const grant = form.get('grant_type');
    if (!grant) return answer(400, { error: 'invalid_request', error_description: "The token request must specify a 'grant_type'." }, clientId);
    if (grant !== 'client_credentials') {
      return answer(400, { error: 'unsupported_grant_type', error_description: `The authorization grant type is not supported: '${grant}'.` }, clientId);
    }
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (scopes.length === 0) return answer(400, { error: 'invalid_scope', error_description: "'scope' must be provided: studies:read." }, clientId);
    const unknown = scopes.filter((s) => s !== SCOPE);
    if (unknown.length > 0) {
      return answer(
        400,
        { error: 'invalid_scope', error_description: `One or more scopes are not configured for the authorization server resource: ${unknown.join(' ')}.` },
        clientId,
      );
    }
    answer(200, this.issue(client.clientId, at), clientId);
  }
}
