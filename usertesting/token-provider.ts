import { request, type Dispatcher } from 'undici';
import type { Credentials } from '../config/settings';
import { InvalidCredentialsError, InvalidResponseError, TransientApiError } from './errors';
import { DEFAULT_HTTP_TIMEOUT_MS } from './http-timeout';
import { redactSecrets } from './redact';
import { tokenResponseSchema } from './schemas';

/** Hands out bearer tokens to the API client. Lives in the worker process; tokens never leave it. */
export interface TokenProvider {
  getToken(): Promise<string>;
  /** Called on a 401: the next getToken() fetches a new token (unless another caller already did). */
  invalidate(rejectedToken: string): void;
  /** False for a static UT_ACCESS_TOKEN: a 401 then cannot be fixed by retrying. */
  readonly canRefresh: boolean;
}

export interface TokenProviderOptions {
  credentials: Credentials;
  tokenUrl: string;
  dispatcher?: Dispatcher;
  /** Refresh this long before the announced expiry. @default 60000 */
  refreshMarginMs?: number;
  now?: () => number;
}

/** OAuth2 client credentials (RFC 6749 §4.4) with the client authenticated by HTTP Basic. */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const credentials = options.credentials;
  if (credentials.kind === 'static-token') {
    const { accessToken } = credentials;
    return { getToken: async () => accessToken, invalidate: () => undefined, canRefresh: false };
  }
  const { clientId, clientSecret } = credentials;
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 60_000;
  let current: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
    let response: Dispatcher.ResponseData;
    try {
      response = await request(options.tokenUrl, {
        method: 'POST',
        dispatcher: options.dispatcher,
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'studies:read' }).toString(),
        headersTimeout: DEFAULT_HTTP_TIMEOUT_MS,
        bodyTimeout: DEFAULT_HTTP_TIMEOUT_MS,
      });
    } catch (err) {
      throw new TransientApiError(`token endpoint unreachable: ${redactSecrets((err as Error).message)}`, 'token');
    }
    const text = await response.body.text();
    if (response.statusCode === 400 || response.statusCode === 401 || response.statusCode === 403) {
      let detail = '';
      try {
        detail = String(JSON.parse(text).error ?? '');
      } catch {
        /* not JSON */
      }
      throw new InvalidCredentialsError(response.statusCode, redactSecrets(detail).slice(0, 100));
    }
    if (response.statusCode !== 200) throw new TransientApiError(`token endpoint answered ${response.statusCode}`, 'token', response.statusCode);
    let parsed;
    try {
      parsed = tokenResponseSchema.parse(JSON.parse(text));
    } catch {
      throw new InvalidResponseError('token endpoint answered with an unexpected body', 'token', 200);
    }
    const lifetimeMs = (parsed.expires_in ?? 3600) * 1000;
    current = { token: parsed.access_token, refreshAt: now() + Math.max(lifetimeMs - margin, lifetimeMs / 2) };
    return parsed.access_token;
  }

  return {
    canRefresh: true,
    async getToken() {
      if (current && now() < current.refreshAt) return current.token;
      inFlight ??= fetchToken().finally(() => (inFlight = undefined));
      return inFlight;
    },
    invalidate(rejectedToken) {
      if (current?.token === rejectedToken) current = undefined;
    },
  };
}
