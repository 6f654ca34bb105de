import { toActivityFailure } from '../../activities/failures';
import { InvalidMediaError } from '../../activities/content-check';
import { DestinationUnavailableError, InvalidDestinationError, StorageRequestError } from '../../storage';
import { NotFoundError, RateLimitedError } from '../../usertesting/errors';
import { NON_RETRYABLE_FAILURES } from '../../contract/failure-types';

const errno = (code: string, message: string) => Object.assign(new Error(message), { code });

/** One table from error class to Temporal failure type and retryability (decided by type, never by text). */
describe('failure classification', () => {
  const cases: Array<[string, unknown, string, boolean]> = [
    ['a full disk', errno('ENOSPC', 'ENOSPC: no space left on device, write'), 'DestinationFull', false],
    ['a quota', errno('EDQUOT', 'EDQUOT: disk quota exceeded, write'), 'DestinationFull', false],
    ['a read-only file system', errno('EROFS', 'EROFS: read-only file system, open'), 'DestinationUnwritable', false],
    ['permission denied', errno('EACCES', 'EACCES: permission denied, open'), 'DestinationUnwritable', false],
    [
      'a storage error marked not retryable',
      new StorageRequestError('upload of gs://b/o failed: 400', 'gs://b/o', 400, undefined, false),
      'StorageRequestRejected',
      false,
    ],
    ['a storage error marked retryable', new StorageRequestError('upload of gs://b/o failed: 503', 'gs://b/o', 503, undefined, true), 'StorageRequest', true],
    ['an unusable destination', new DestinationUnavailableError('gs://b is not available', 'gs://b', 404), 'DestinationUnavailable', false],
    ['an invalid destination', new InvalidDestinationError('s3:// is not supported', 's3://x'), 'InvalidDestination', false],
    ['a body that is not media', new InvalidMediaError('the body is not an MP4 file', 'mp4'), 'InvalidMedia', false],
    ['a 404 of the API', new NotFoundError('clipDetail', 'clip'), 'NotFound', false],
    ['a connection reset', errno('ECONNRESET', 'socket hang up'), 'Error', true],
  ];
  test.each(cases)('%s', (_what, err, type, retryable) => {
    const failure = toActivityFailure(err);
    expect({ type: failure.type, retryable: !failure.nonRetryable && !NON_RETRYABLE_FAILURES.includes(failure.type ?? '') }).toEqual({ type, retryable });
  });

  test('a message that merely mentions a type or a status decides nothing', () => {
    expect(toActivityFailure(new Error('NotFound (404): ENOSPC DestinationFull')).type).toBe('Error');
    expect(toActivityFailure(new Error('NotFound (404)')).nonRetryable).toBe(false);
  });

  test('a 429 carries its reset as the next retry delay', () => {
    const failure = toActivityFailure(new RateLimitedError('listSessions', 30_000));
    expect(failure.type).toBe('RateLimited');
    expect(failure.nextRetryDelay).toBe(30_000);
  });
});
