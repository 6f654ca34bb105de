import { createGcsClient, DestinationUnavailableError, ObjectAlreadyExistsError, StorageRequestError, ChecksumMismatchError } from '../../storage';
import { Crc32c } from '../../storage/crc32c';
import { emulatorEndpoint } from '../../storage/gcs/client';
import { mapGcsError } from '../../storage/gcs/errors';

describe('emulatorEndpoint', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['  ', undefined],
    ['http://127.0.0.1:4443', 'http://127.0.0.1:4443'],
    ['http://127.0.0.1:4443/', 'http://127.0.0.1:4443'],
    ['http://127.0.0.1:4443/storage/v1/', 'http://127.0.0.1:4443'],
    ['127.0.0.1:4443', 'http://127.0.0.1:4443'],
    ['localhost:9023', 'http://localhost:9023'],
    ['https://gcs.internal:8443', 'https://gcs.internal:8443'],
  ])('%j -> %j', (value, expected) => {
    expect(emulatorEndpoint(value)).toBe(expected);
  });

  it('rejects other schemes', () => {
    expect(() => emulatorEndpoint('ftp://x:1')).toThrow(/STORAGE_EMULATOR_HOST/);
  });
});

describe('createGcsClient', () => {
  it('validates uploads with the native CRC32C (the JavaScript one caps a transfer at tens of MB/s)', () => {
    expect(createGcsClient({}).crc32cGenerator()).toBeInstanceOf(Crc32c);
    expect(createGcsClient({ STORAGE_EMULATOR_HOST: '127.0.0.1:4443' }).crc32cGenerator()).toBeInstanceOf(Crc32c);
  });

  it('uses the emulator from the given env, with the JSON API path, whatever process.env says', () => {
    const saved = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = 'http://127.0.0.1:1';
    try {
      const storage = createGcsClient({ STORAGE_EMULATOR_HOST: '127.0.0.1:4443' });
      expect(storage.apiEndpoint).toBe('http://127.0.0.1:4443');
      expect(storage.baseUrl).toBe('http://127.0.0.1:4443/storage/v1');
      expect(process.env.STORAGE_EMULATOR_HOST).toBe('http://127.0.0.1:1');
      const real = createGcsClient({});
      expect(real.apiEndpoint).toBe('https://storage.googleapis.com');
      expect(real.baseUrl).toBe('https://storage.googleapis.com/storage/v1');
    } finally {
      if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = saved;
    }
  });
});

describe('mapGcsError', () => {
  const ctx = { bucket: 'bkt', relativePath: 'a/b.mp4', objectUri: 'gs://bkt/p/a/b.mp4', operation: 'upload' };
  const secretUrl = 'https://storage.googleapis.com/upload/storage/v1/b/bkt/o?uploadType=resumable&upload_id=SECRET';

  it('maps 412 to ObjectAlreadyExistsError', () => {
    const err = mapGcsError(Object.assign(new Error('Precondition failed'), { code: 412 }), ctx);
    expect(err).toBeInstanceOf(ObjectAlreadyExistsError);
    expect(err).toMatchObject({ relativePath: 'a/b.mp4' });
    expect(mapGcsError({ response: { status: 412 } }, { ...ctx, expectedGeneration: '7' }).message).toMatch(/no longer generation 7/);
  });

  it('maps 404/403 to DestinationUnavailableError naming the bucket and nothing secret', () => {
    const e404 = mapGcsError(Object.assign(new Error(`Request failed: ${secretUrl}`), { response: { status: 404 }, config: { url: secretUrl } }), ctx);
    expect(e404).toBeInstanceOf(DestinationUnavailableError);
    expect(e404.message).toMatch(/gs:\/\/bkt .*does not exist/);
    expect(e404.message).not.toContain('SECRET');
    const e403 = mapGcsError(Object.assign(new Error('denied'), { code: 403 }), ctx);
    expect(e403).toBeInstanceOf(DestinationUnavailableError);
    expect(e403.message).toMatch(/access denied/);
  });

  it('maps the client checksum failure and keeps URLs out of other errors', () => {
    expect(mapGcsError(Object.assign(new Error('x'), { code: 'FILE_NO_UPLOAD' }), ctx)).toBeInstanceOf(ChecksumMismatchError);
    const e503 = mapGcsError(Object.assign(new Error(`Retry limit exceeded ${secretUrl}`), { code: 503 }), ctx) as StorageRequestError;
    expect(e503).toBeInstanceOf(StorageRequestError);
    expect(e503).toMatchObject({ status: 503, retryable: true });
    expect(e503.message).toBe('upload of gs://bkt/p/a/b.mp4 failed: HTTP 503');
    const net = mapGcsError(Object.assign(new Error(`request to ${secretUrl} failed`), { code: 'ECONNRESET' }), ctx) as StorageRequestError;
    expect(net.message).not.toContain('SECRET');
    expect(net).toMatchObject({ code: 'ECONNRESET', retryable: true });
  });
});
