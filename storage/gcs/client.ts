/**
 * Builds the GCS client from the environment. The emulator is chosen by configuration
 * (STORAGE_EMULATOR_HOST), never by code paths elsewhere.
 *
 * Why not let the client read STORAGE_EMULATOR_HOST itself: @google-cloud/storage 7.x uses the
 * variable's value verbatim as the JSON API base URL, so `http://127.0.0.1:4443` sends bucket
 * requests to `/b/...` instead of `/storage/v1/b/...` (fake-gcs-server answers 404), a bare
 * `127.0.0.1:4443` is rejected ("Only HTTP(S) protocols are supported"), and the variable even
 * overrides an explicit `apiEndpoint`. So we parse it ourselves, pass `apiEndpoint`, and hide the
 * variable from the constructor (synchronously; nothing else can run in between).
 */
import { Storage, type StorageOptions } from '@google-cloud/storage';
import { Crc32c } from '../crc32c';

const EMULATOR_VARIABLE = 'STORAGE_EMULATOR_HOST';

/**
 * The emulator's API endpoint (scheme://host:port, no path) from a STORAGE_EMULATOR_HOST value,
 * or undefined when unset or blank. Accepts `http://host:port`, `https://host:port`, `host:port`
 * (plain http, as the Go and Python clients read it) and a trailing `/` or `/storage/v1`.
 */
export function emulatorEndpoint(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`${EMULATOR_VARIABLE}=${JSON.stringify(value)} is not a host:port or http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${EMULATOR_VARIABLE} must be an http(s) URL or host:port, got ${JSON.stringify(value)}`);
  }
  const basePath = url.pathname.replace(/\/+$/, '').replace(/\/storage\/v1$/, '');
  return `${url.protocol}//${url.host}${basePath}`;
}

/** Options for `new Storage()` from the environment: the emulator when configured, else defaults. */
export function gcsClientOptions(env: NodeJS.ProcessEnv = process.env): StorageOptions {
  const apiEndpoint = emulatorEndpoint(env[EMULATOR_VARIABLE]);
  const crc32cGenerator = () => new Crc32c();
  if (!apiEndpoint) return { crc32cGenerator };
  // The emulator needs no credentials (the client sends none to a custom endpoint) and no real
  // project; a project id keeps the client from looking one up through Application Default Credentials.
  return { crc32cGenerator, apiEndpoint, projectId: env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT || 'ut-media-emulator' };
}

/**
 * The GCS client: against the emulator when STORAGE_EMULATOR_HOST is set in `env`, otherwise
 * against GCS with Application Default Credentials.
 */
export function createGcsClient(env: NodeJS.ProcessEnv = process.env): Storage {
  const options = gcsClientOptions(env);
  const saved = process.env[EMULATOR_VARIABLE];
  delete process.env[EMULATOR_VARIABLE];
  try {
    return new Storage(options);
  } finally {
    if (saved !== undefined) process.env[EMULATOR_VARIABLE] = saved;
  }
}
