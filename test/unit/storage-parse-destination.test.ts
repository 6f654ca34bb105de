import { destinationUri, InvalidDestinationError, parseDestination } from '../../storage';

describe('parseDestination: accepted forms', () => {
  it.each([
    ['gs://my-bucket', { scheme: 'gs', bucket: 'my-bucket', prefix: '' }],
    ['gs://my-bucket/', { scheme: 'gs', bucket: 'my-bucket', prefix: '' }],
    ['gs://my_bucket.example.com/a/b/', { scheme: 'gs', bucket: 'my_bucket.example.com', prefix: 'a/b' }],
    ['gs://abc/research/usertesting', { scheme: 'gs', bucket: 'abc', prefix: 'research/usertesting' }],
    ['GS://abc/x', { scheme: 'gs', bucket: 'abc', prefix: 'x' }],
    ['s3://my-bucket', { scheme: 's3', bucket: 'my-bucket', prefix: '' }],
    ['s3://my.bucket-1/research/usertesting/', { scheme: 's3', bucket: 'my.bucket-1', prefix: 'research/usertesting' }],
    ['S3://abc/x', { scheme: 's3', bucket: 'abc', prefix: 'x' }],
    ['file:///var/data/media', { scheme: 'file', root: '/var/data/media' }],
    ['file:///var/data/media/', { scheme: 'file', root: '/var/data/media' }],
    ['file://localhost/var/data', { scheme: 'file', root: '/var/data' }],
    ['file:///tmp/with%20space', { scheme: 'file', root: '/tmp/with space' }],
    ['/abs/path/', { scheme: 'file', root: '/abs/path' }],
    ['out', { scheme: 'file', root: '/home/me/out' }],
    ['./out/../media', { scheme: 'file', root: '/home/me/media' }],
    ['ftp:not-a-uri', { scheme: 'file', root: '/home/me/ftp:not-a-uri' }],
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
    ['ftp://bucket/x', /unsupported scheme "ftp:\/\/"/],
    ['s3://', /bucket name is missing/],
    ['s3://my_bucket', /lowercase letters, digits, '-' and '\.'/],
    ['s3://My-Bucket', /lowercase letters/],
    ['s3://ab', /3 to 63 characters/],
    [`s3://${'a'.repeat(64)}`, /3 to 63 characters/],
    ['s3://a..b', /two adjacent periods/],
    ['s3://10.0.0.1', /IP address/],
    ['s3://xn--bucket', /must not start with "xn--"/],
    ['s3://sthree-data', /must not start with "sthree-"/],
    ['s3://data-s3alias', /must not end with "-s3alias"/],
    ['s3://data--ol-s3', /must not end with "--ol-s3"/],
    ['s3://bucket/a/../b', /must not contain '\.\.' segments/],
    ['s3://bucket/a//b', /empty segments/],
    ['s3:bucket', /starts with s3:\/\//],
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
    expect(error.message).toContain(
      'accepted forms: gs://bucket[/prefix], s3://bucket[/prefix], az://container[/prefix], https://<account>.blob.core.windows.net/container[/prefix], ' +
        'file:///absolute/path, or a plain',
    );
  });
});

describe('destinationUri', () => {
  it('is canonical and round-trips through parseDestination', () => {
    for (const input of ['gs://bkt', 'gs://bkt/a/b/', 's3://bkt', 's3://bkt/a/b/', 'file:///srv/media/', '/srv/with space', 'rel/dir']) {
      const spec = parseDestination(input, '/home/me');
      const uri = destinationUri(spec);
      expect(parseDestination(uri)).toEqual(spec);
    }
    expect(destinationUri({ scheme: 'gs', bucket: 'bkt', prefix: '' })).toBe('gs://bkt');
    expect(destinationUri({ scheme: 'gs', bucket: 'bkt', prefix: 'a/b' })).toBe('gs://bkt/a/b');
    expect(destinationUri({ scheme: 's3', bucket: 'bkt', prefix: '' })).toBe('s3://bkt');
    expect(destinationUri({ scheme: 's3', bucket: 'bkt', prefix: 'a/b' })).toBe('s3://bkt/a/b');
    expect(destinationUri({ scheme: 'file', root: '/srv/with space' })).toBe('file:///srv/with%20space');
  });
});
