import fc from 'fast-check';
import { destinationUri, InvalidDestinationError, parseDestination, StorageRequestError } from '../../storage';
import { fitMetadata } from '../../activities/metadata-limits';
import { mapAzureError } from '../../storage/azure/errors';
import { DestinationUnavailableError, ObjectAlreadyExistsError, ChecksumMismatchError } from '../../storage/errors';
import {
  AZURE_METADATA_BUDGET_BYTES,
  AZURE_METADATA_LIMIT_BYTES,
  decodeMetadata,
  decodeMetadataName,
  encodeMetadata,
  encodeMetadataName,
  encodedMetadataBytes,
} from '../../storage/azure/metadata';

describe('az:// destinations: parsing', () => {
  it.each([
    ['az://archive', { scheme: 'az', container: 'archive', prefix: '' }, 'az://archive'],
    ['az://my-archive-01/usertesting/raw/', { scheme: 'az', container: 'my-archive-01', prefix: 'usertesting/raw' }, 'az://my-archive-01/usertesting/raw'],
    ['AZ://abc/p', { scheme: 'az', container: 'abc', prefix: 'p' }, 'az://abc/p'],
    [
      'https://acct01.blob.core.windows.net/archive/year=2026/a%20b',
      { scheme: 'az', account: 'acct01', container: 'archive', prefix: 'year=2026/a b' },
      'https://acct01.blob.core.windows.net/archive/year=2026/a%20b',
    ],
    [
      'https://acct01.blob.core.windows.net/archive',
      { scheme: 'az', account: 'acct01', container: 'archive', prefix: '' },
      'https://acct01.blob.core.windows.net/archive',
    ],
  ])('%s', (input, spec, canonical) => {
    expect(parseDestination(input)).toEqual(spec);
    expect(destinationUri(parseDestination(input))).toBe(canonical);
    expect(parseDestination(canonical)).toEqual(spec);
  });

  it.each([
    ['az://', /container name is missing/],
    ['az://ab', /3 to 63 characters/],
    ['az://' + 'a'.repeat(64), /3 to 63 characters/],
    ['az://My-Archive', /lowercase letters, digits and single hyphens/],
    ['az://my--archive', /single hyphens/],
    ['az://-archive', /start and end with a letter or digit/],
    ['az://archive-', /start and end/],
    ['az://arch_ive', /lowercase letters/],
    ['az:archive', /starts with az:\/\//],
    ['az://archive/a/../b', /'\.\.' segments/],
    ['az://archive/a//b', /empty segments/],
    ['https://example.com/archive', /Azure Blob endpoint/],
    ['https://acct01.blob.core.windows.net:444/archive', /Azure Blob endpoint/],
    ['https://acct01.blob.core.windows.net/archive?sv=2024&sig=secret', /must not carry a query/],
    ['https://acct01.blob.core.windows.net/Bad_Name', /lowercase letters/],
  ])('refuses %s', (input, message) => {
    expect(() => parseDestination(input)).toThrow(InvalidDestinationError);
    expect(() => parseDestination(input)).toThrow(message);
  });
});

describe('Azure metadata encoding', () => {
  it('names become valid, lower-case C# identifiers and come back exactly', () => {
    expect(encodeMetadataName('testId')).toBe('test_id');
    expect(encodeMetadataName('lastUpdatedAtMs')).toBe('last_updated_at_ms');
    expect(encodeMetadataName('under_score')).toBe('under__score');
    expect(encodeMetadataName('9lives')).toBe('_00039lives');
    expect(encodeMetadataName('a-b')).toBe('a_0002db');
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }), (name) => {
        const encoded = encodeMetadataName(name);
        expect(encoded).toMatch(/^[a-z_][a-z0-9_]*$/);
        // Azure may hand names back in another case: still the same name.
        expect(decodeMetadataName(encoded.toUpperCase())).toBe(name);
      }),
    );
  });

  it('values of any text come back exactly; plain ASCII stays readable', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12, unit: 'binary' }), fc.string({ maxLength: 60, unit: 'binary' }), { maxKeys: 8 }),
        (metadata) => {
          const encoded = encodeMetadata('az://c/o', metadata, { md5: 'bWQ1', crc32c: 'Y3Jj' });
          for (const value of Object.values(encoded)) expect(value).toMatch(/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/);
          const upper = Object.fromEntries(Object.entries(encoded).map(([k, v]) => [k.toUpperCase(), v]));
          expect(decodeMetadata(upper)).toEqual({ metadata, md5: 'bWQ1', crc32c: 'Y3Jj' });
        },
      ),
    );
    const proto = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
    expect(Object.keys(decodeMetadata(encodeMetadata('az://c/o', proto)).metadata)).toEqual(['__proto__']);
    expect(encodeMetadata('az://c/o', { name: 'Plain text, 100%' })).toEqual({ name: 'Plain text, 100%' });
    expect(encodeMetadata('az://c/o', { name: 'Café', empty: '' })).toEqual({ name: '=?utf-8?b?Q2Fmw6k=?=', empty: '=?utf-8?b??=' });
  });

  it("the budget leaves room for the encoding; more than Azure's 8 KiB is refused, not retried", () => {
    const worst = { description: '☕'.repeat(Math.floor((AZURE_METADATA_BUDGET_BYTES - 11) / 3)) };
    expect(encodedMetadataBytes(encodeMetadata('az://c/o', worst, { md5: 'x'.repeat(24), crc32c: 'x'.repeat(8) }))).toBeLessThanOrEqual(
      AZURE_METADATA_LIMIT_BYTES,
    );
    const over = () => encodeMetadata('az://c/o', { description: 'a'.repeat(AZURE_METADATA_LIMIT_BYTES) });
    expect(over).toThrow(StorageRequestError);
    expect(over).toThrow(/over the 8192-byte limit/);
    expect(() => encodeMetadata('az://c/o', { utMediaMd5: 'x' })).toThrow(/reserved/);
  });

  it("metadata the activities cut to an az:// destination's budget always fits once encoded", () => {
    const id = '11111111-1111-4111-8111-111111111111';
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 6000 }), fc.string({ unit: 'grapheme', maxLength: 3000 }), (description, name) => {
        const fields = {
          kind: 'clip',
          testId: id,
          sessionId: id,
          clipId: id,
          name,
          description,
          lastUpdatedAtMs: '1764000000000',
          downloadedAt: '2026-11-26T04:00:00.000Z',
        };
        const { metadata } = fitMetadata(fields, AZURE_METADATA_BUDGET_BYTES);
        expect(() => encodeMetadata('az://c/o', metadata, { md5: 'x'.repeat(24), crc32c: 'x'.repeat(8) })).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });
});

describe('Azure errors, by status and code', () => {
  const ctx = { container: 'az://c', relativePath: 'o', objectUri: 'az://c/o', operation: 'upload' };
  const rest = (statusCode: number | undefined, code?: string, details?: object) =>
    Object.assign(new Error('a message we never read'), { name: 'RestError', statusCode, code, details });

  it.each([
    [rest(404, 'ContainerNotFound'), DestinationUnavailableError],
    [rest(404, undefined, { errorCode: 'ContainerNotFound' }), DestinationUnavailableError],
    [rest(403, 'AuthorizationFailure'), DestinationUnavailableError],
    [rest(403, 'AuthenticationFailed'), DestinationUnavailableError],
    [Object.assign(new Error('x'), { name: 'CredentialUnavailableError' }), DestinationUnavailableError],
    [rest(409, 'BlobAlreadyExists'), ObjectAlreadyExistsError],
    [rest(412, 'ConditionNotMet'), ObjectAlreadyExistsError],
    [rest(400, 'Md5Mismatch'), ChecksumMismatchError],
  ])('%p', (err, type) => {
    expect(mapAzureError(err, ctx)).toBeInstanceOf(type);
  });

  it.each([
    [rest(503, 'ServerBusy'), true],
    [rest(500, 'InternalError'), true],
    [rest(429), true],
    [rest(undefined, 'ECONNRESET'), true],
    [rest(400, 'InvalidBlockList'), true],
    [rest(409, 'LeaseIdMissing'), false],
    [rest(400, 'InvalidMetadata'), false],
  ])('%p -> StorageRequestError, retryable %p', (err, retryable) => {
    const mapped = mapAzureError(err, ctx);
    expect(mapped).toBeInstanceOf(StorageRequestError);
    expect(mapped).toMatchObject({ retryable });
    expect(mapped.message).not.toContain('a message we never read');
  });
});
