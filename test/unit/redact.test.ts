import { describeUrl, redactSecrets } from '../../usertesting/redact';

describe('redactSecrets', () => {
  const signed =
    'https://s3.amazonaws.com/bucket/videos/x.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20250101&X-Amz-Date=20250101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=0123456789abcdef0123456789abcdef';

  test('removes the query of a signed link and every X-Amz value', () => {
    const out = redactSecrets(`GET ${signed} failed: other side closed`);
    expect(out).not.toMatch(/0123456789abcdef/);
    expect(out).not.toMatch(/AKIA/);
    expect(out).toContain('https://s3.amazonaws.com/bucket/videos/x.mp4?[redacted]');
  });

  test('removes bearer tokens, JWTs and client secrets', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJlLXZhbHVl';
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
