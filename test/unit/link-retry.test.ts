import { LinkExpiredError, MediaHostUnreachableError } from '../../usertesting/errors';
import { LinkRetry, linkUsableUntil, type Outage } from '../../usertesting/link-retry';

/** A clock the waits move: the retries of hours of outage run in no time. */
function fakeTime(startMs = 1_000_000) {
  let now = startMs;
  const waits: number[] = [];
  return { now: () => now, wait: async (ms: number) => void (waits.push(ms), (now += ms)), waits };
}

async function failureOf(retry: LinkRetry, cause = 'ECONNREFUSED'): Promise<unknown> {
  for (;;) {
    try {
      await retry.beforeRetry(cause);
    } catch (err) {
      return err;
    }
  }
}

describe('retries on the same link', () => {
  test('back off from the initial delay up to the maximum, and start over once the host answers', async () => {
    const time = fakeTime();
    const retry = new LinkRetry({ initialDelayMs: 1000, maxDelayMs: 4000, ...time });
    for (let i = 0; i < 4; i++) await retry.beforeRetry('ECONNRESET');
    retry.answered();
    await retry.beforeRetry('ECONNRESET');
    expect(time.waits).toEqual([1000, 2000, 4000, 4000, 1000]);
  });

  test('a host down longer than the link lives: the link is given up when due to expire (one new link per lifetime)', async () => {
    const time = fakeTime();
    const usableUntilMs = linkUsableUntil(time.now(), 3_600_000);
    const outages: Array<Outage | undefined> = [];
    const retry = new LinkRetry({
      initialDelayMs: 1000,
      maxDelayMs: 30_000,
      unreachableLimitMs: 3 * 3_600_000,
      usableUntilMs,
      onOutage: (o) => outages.push(o),
      ...time,
    });
    const err = await failureOf(retry);
    expect(err).toBeInstanceOf(LinkExpiredError);
    expect(time.now()).toBe(usableUntilMs);
    // Its last wait was cut short so the link got a try right at the end of its use.
    expect(time.now() - 1_000_000).toBe(3_600_000 - 60_000);
    expect(outages.every((o) => o?.sinceMs === 1_000_000)).toBe(true);
  });

  test('the outage limit counts from when an earlier attempt first met it, and fails with the cause', async () => {
    const time = fakeTime(10_000_000);
    const retry = new LinkRetry({ initialDelayMs: 1000, unreachableLimitMs: 900_000, outage: { sinceMs: 10_000_000 - 600_000, cause: 'ENOTFOUND' }, ...time });
    const err = await failureOf(retry, 'getaddrinfo ENOTFOUND media.example');
    expect(err).toBeInstanceOf(MediaHostUnreachableError);
    expect((err as Error).message).toBe('media host unreachable: getaddrinfo ENOTFOUND media.example (for 900 s); the next run tries again');
    expect(time.now()).toBe(10_000_000 + 300_000);
  });

  test('a stated expiry is used when it is within the lifetime; one before the link was obtained (clock skew) is not', () => {
    const at = Date.parse('2026-01-01T12:00:00Z');
    expect(linkUsableUntil(at, 3_600_000, '2026-01-01T12:30:00Z')).toBe(at + 1_800_000 - 60_000);
    expect(linkUsableUntil(at, 3_600_000, '2026-01-01T11:00:00Z')).toBe(at + 3_600_000 - 60_000);
    expect(linkUsableUntil(at, 900_000, 'not a date')).toBe(at + 900_000 - 60_000);
    expect(linkUsableUntil(at, 2_000)).toBe(at + 2_000 - 200);
  });
});
