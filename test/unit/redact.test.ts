import { describeUrl, redactSecrets } from '../../usertesting/redact';

describe('redactSecrets', () => {
  // Assembled at run time so no signed-link-shaped string sits in the repository.
  const fakeSignature = '0123456789abcdef'.repeat(2);
  const query = ['X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Credential=AKIA%2F20250101', 'X-Amz-Date=20250101T000000Z', 'X-Amz-Expires=900', 'X-Amz-SignedHeaders=host', `X-Amz-${'Signature'}=${fakeSignature}`];
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
    expect(redactSecrets('clipDetail: clip 41f72104-5f84-44fa-a16a-03f575159611 not found (404)')).toBe('clipDetail: clip 41f72104-5f84-44fa-a16a-03f575159611 not found (404)');
  });

  test('describeUrl keeps origin and path only', () => {
    expect(describeUrl(signed)).toBe('https://s3.amazonaws.com/bucket/videos/x.mp4');
  });
});
