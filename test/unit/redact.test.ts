import { PassThrough } from 'node:stream';
import { describeUrl, redactSecrets } from '../../usertesting/redact';
import { createLogger } from '../../workers/logger';

describe('redactSecrets', () => {
  // Assembled at run time so no signed-link-shaped string sits in the repository.
  const fakeSignature = '0123456789abcdef'.repeat(2);
  const query = [
    'X-Amz-Algorithm=AWS4-HMAC-SHA256',
    'X-Amz-Credential=AKIA%2F20250101',
    'X-Amz-Date=20250101T000000Z',
    'X-Amz-Expires=900',
    'X-Amz-SignedHeaders=host',
    `X-Amz-${'Signature'}=${fakeSignature}`,
  ];
  const signed = `https://s3.amazonaws.com/bucket/videos/x.mp4?${query.join('&')}`;

  test('removes the query of a signed link and every X-Amz value', () => {
    const out = redactSecrets(`GET ${signed} failed: other side closed`);
    expect(out).not.toMatch(/0123456789abcdef/);
    expect(out).not.toMatch(/AKIA/);
    expect(out).toContain('https://s3.amazonaws.com/bucket/videos/x.mp4?[redacted]');
  });

  test('removes bearer tokens, JWTs and client secrets', () => {
    const b64url = (v: string) => Buffer.from(v).toString('base64url');
    const jwt = [b64url('{"alg":"HS256"}'), b64url('{"sub":"demo"}'), b64url('signature-value')].join('.');
    expect(redactSecrets(`Authorization: Bearer ${jwt}`)).toBe('Authorization: Bearer [redacted]');
    expect(redactSecrets(`token ${jwt} rejected`)).toBe('token [redacted-jwt] rejected');
    expect(redactSecrets('grant_type=client_credentials&client_secret=s3cr3t')).not.toContain('s3cr3t');
  });

  test('leaves ordinary messages alone', () => {
    expect(redactSecrets('clipDetail: clip 41f72104-5f84-44fa-a16a-03f575159611 not found (404)')).toBe(
      'clipDetail: clip 41f72104-5f84-44fa-a16a-03f575159611 not found (404)',
    );
  });

  test('describeUrl keeps origin and path only', () => {
    expect(describeUrl(signed)).toBe('https://s3.amazonaws.com/bucket/videos/x.mp4');
  });

  test('the logger never throws on quoted links or tokens inside values, and redacts them', async () => {
    const lines: string[] = [];
    const sink = new PassThrough();
    sink.on('data', (d) => lines.push(String(d)));
    const logger = createLogger('info', sink);
    const values = [`"${signed}"`, '"token=abc\\"def"', `'${signed}'`, 'token=\\', `a\u0000b "Bearer abc.def" ${signed}`];
    const cyclic: Record<string, unknown> = { note: `see ${signed}` };
    cyclic.self = cyclic;
    for (const v of values) expect(() => logger.info({ detail: v, nested: { list: [v] } }, `message ${v}`)).not.toThrow();
    expect(() => logger.info(cyclic, 'cyclic')).not.toThrow();
    expect(() => logger.error({ err: Object.assign(new Error(`GET ${signed} failed`), { url: signed }) }, 'failed')).not.toThrow();
    await new Promise((r) => setImmediate(r));
    const output = lines.join('');
    expect(output.trim().split('\n')).toHaveLength(values.length + 2);
    expect(output).not.toContain(fakeSignature);
    expect(output).not.toContain('abc.def');
    expect(output).not.toMatch(/token=abc/);
  });
});
