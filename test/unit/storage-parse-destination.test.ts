import { destinationUri, InvalidDestinationError, parseDestination } from '../../storage';

describe('parseDestination: accepted forms', () => {
  it.each([
    ['gs://my-bucket', { scheme: 'gs', bucket: 'my-bucket', prefix: '' }],
    ['gs://my-bucket/', { scheme: 'gs', bucket: 'my-bucket', prefix: '' }],
    ['gs://my_bucket.example.com/a/b/', { scheme: 'gs', bucket: 'my_bucket.example.com', prefix: 'a/b' }],
    ['gs://abc/research/usertesting', { scheme: 'gs', bucket: 'abc', prefix: 'research/usertesting' }],
    ['GS://abc/x', { scheme: 'gs', bucket: 'abc', prefix: 'x' }],
    ['file:///var/data/media', { scheme: 'file', root: '/var/data/media' }],
    ['file:///var/data/media/', { scheme: 'file', root: '/var/data/media' }],
    ['file://localhost/var/data', { scheme: 'file', root: '/var/data' }],
    ['file:///tmp/with%20space', { scheme: 'file', root: '/tmp/with space' }],
    ['/abs/path/', { scheme: 'file', root: '/abs/path' }],
    ['out', { scheme: 'file', root: '/home/me/out' }],
    ['./out/../media', { scheme: 'file', root: '/home/me/media' }],
    ['s3:not-a-uri', { scheme: 'file', root: '/home/me/s3:not-a-uri' }],
  ])('%s', (input, expected) => {
    expect(parseDestination(input, '/home/me')).toEqual(expected);
  });

  it('resolves plain paths against process.cwd() by default', () => {
    expect(parseDestination('media')).toEqual({ scheme: 'file', root: `${process.cwd()}/media` });
  });
});

describe('parseDestination: rejected forms', () => {
  it.each([
    ['', /it is empty/],
    ['   ', /it is empty/],
    ['s3://bucket/x', /unsupported scheme "s3:\/\/"/],
    ['http://example.com/x', /unsupported scheme "http:\/\/"/],
    ['gs://', /bucket name is missing/],
    ['gs:///prefix', /bucket name is missing/],
    ['gs://My-Bucket', /lowercase letters/],
    ['gs://ab', /3 to 63 characters/],
    [`gs://${'a'.repeat(64)}`, /3 to 63 characters/],
    ['gs://-bucket', /start and end with a letter or digit/],
    ['gs://bucket_', /start and end with a letter or digit/],
    ['gs://192.168.1.1', /IP address/],
    ['gs://goog-bucket', /must not start with "goog"/],
    ['gs://my-google-bucket', /"google"/],
    ['gs://my-g00gle-bucket', /"google"/],
    ['gs://a..b', /each dot-separated part/],
    ['gs://bucket/a/../b', /must not contain '\.\.' segments/],
    ['gs://bucket/a/./b', /must not contain '\.' segments/],
    ['gs://bucket/a//b', /empty segments/],
    ['gs:bucket', /starts with gs:\/\//],
    ['file://server/share', /must name no host .*three slashes/],
    ['file://relative/path', /must name no host/],
    ['file:relative', /starts with file:\/\/\//],
    ['file:///a%2Fb', /invalid destination/],
    ['file:///x?y=1', /query or fragment/],
  ])('%j', (input, message) => {
    let caught: unknown;
    try {
      parseDestination(input, '/home/me');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidDestinationError);
    const error = caught as InvalidDestinationError;
    expect(error.message).toMatch(message);
    // Every message also says what is accepted.
    expect(error.message).toMatch(/accepted forms: gs:\/\/bucket\[\/prefix\], .*az:\/\/container\[\/prefix\], .*file:\/\/\/absolute\/path, or a plain/);
  });
});

describe('destinationUri', () => {
  it('is canonical and round-trips through parseDestination', () => {
    for (const input of ['gs://bkt', 'gs://bkt/a/b/', 'file:///srv/media/', '/srv/with space', 'rel/dir']) {
      const spec = parseDestination(input, '/home/me');
      const uri = destinationUri(spec);
      expect(parseDestination(uri)).toEqual(spec);
    }
    expect(destinationUri({ scheme: 'gs', bucket: 'bkt', prefix: '' })).toBe('gs://bkt');
    expect(destinationUri({ scheme: 'gs', bucket: 'bkt', prefix: 'a/b' })).toBe('gs://bkt/a/b');
    expect(destinationUri({ scheme: 'file', root: '/srv/with space' })).toBe('file:///srv/with%20space');
  });
});
