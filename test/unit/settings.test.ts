import { ConfigError, loadSettings, requireCredentials } from '../../config/settings';

describe('loadSettings', () => {
  test('the defaults of docs/configuration.md', () => {
    const s = loadSettings({});
    expect(s).toMatchObject({
      apiBaseUrl: 'https://api.use2.usertesting.com',
      ratePerMinute: 10,
      maxConcurrentDownloads: 4,
      pollInitialDelayMs: 3000,
      pollMaxDelayMs: 60000,
      generationDeadlineMs: 86_400_000,
      namespace: 'default',
      taskQueue: 'ut-media',
    });
    expect(s.credentials).toBeUndefined();
    expect(() => requireCredentials(s)).toThrow(/UT_CLIENT_ID and UT_CLIENT_SECRET/);
  });
  test('client credentials are preferred over a static token', () => {
    expect(loadSettings({ UT_CLIENT_ID: 'a', UT_CLIENT_SECRET: 'b', UT_ACCESS_TOKEN: 't' }).credentials).toEqual({
      kind: 'client-credentials',
      clientId: 'a',
      clientSecret: 'b',
    });
    expect(loadSettings({ UT_ACCESS_TOKEN: 't' }).credentials).toEqual({ kind: 'static-token', accessToken: 't' });
  });
  test('bad values are configuration errors naming the variable, never echoing secrets', () => {
    expect(() => loadSettings({ UT_RATE_LIMIT_PER_MINUTE: '0' })).toThrow(ConfigError);
    expect(() => loadSettings({ UT_POLL_INITIAL_DELAY_MS: '9000', UT_POLL_MAX_DELAY_MS: '10' })).toThrow(/UT_POLL_MAX_DELAY_MS/);
    expect(() => loadSettings({ UT_CLIENT_ID: 'only-id' })).toThrow(/set together/);
    expect(() => loadSettings({ UT_API_BASE_URL: 'ftp://x' })).toThrow(/UT_API_BASE_URL must be an http/);
  });
  test('metrics are off unless UT_METRICS_PORT is set, and bind to loopback unless told otherwise', () => {
    expect(loadSettings({}).metrics).toBeUndefined();
    expect(loadSettings({ UT_METRICS_PORT: '' }).metrics).toBeUndefined();
    expect(loadSettings({ UT_METRICS_PORT: '9464' }).metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadSettings({ UT_METRICS_PORT: '9464', UT_METRICS_HOST: '0.0.0.0' }).metrics).toEqual({ host: '0.0.0.0', port: 9464 });
    for (const port of ['0', '65536', '94.6', 'http']) expect(() => loadSettings({ UT_METRICS_PORT: port })).toThrow(/UT_METRICS_PORT/);
    expect(() => loadSettings({ UT_METRICS_PORT: '9464', UT_METRICS_HOST: 'a b' })).toThrow(/UT_METRICS_HOST/);
  });
  test('status waits 10 s for a progress answer unless told otherwise', () => {
    expect(loadSettings({}).queryTimeoutMs).toBe(10_000);
    expect(loadSettings({ UT_QUERY_TIMEOUT_MS: '2500' }).queryTimeoutMs).toBe(2500);
    expect(() => loadSettings({ UT_QUERY_TIMEOUT_MS: '0' })).toThrow(/UT_QUERY_TIMEOUT_MS/);
  });
});
