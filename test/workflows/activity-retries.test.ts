import { ApplicationFailure } from '@temporalio/common';
import { WorkflowHarness, pagedList, sessionsOf, stored, uuid } from '../support/time-skipping';

const MINUTE = 60_000;

/** The activities' retry policy as the workflows set it: retried with backoff, or failed for good; the asset, not the run, fails. */
describe('ingestion: activity retries (time-skipping, stubbed activities)', () => {
  let h: WorkflowHarness;
  beforeAll(async () => {
    h = await WorkflowHarness.start();
  });
  afterEach(() => h.reset());
  afterAll(() => h?.close());

  const testId = uuid(11);
  const dest = 'mem://bucket';
  const [session] = sessionsOf(1, 11);
  beforeEach(() => {
    h.stubs.api.listSessionsPage = pagedList([session]);
  });

  /** A stub that fails with `failure()` for its first `n` calls, then answers like the healthy one. */
  function failingFirst<A extends unknown[], R>(n: number, failure: () => Error, then: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    let calls = 0;
    return async (...args) => {
      if (++calls <= n) throw failure();
      return then(...args);
    };
  }

  test('a retryable failure is retried with backoff (server time), then the asset is stored and the run is clean', async () => {
    const startedAt: number[] = [];
    const healthy = h.stubs.api.fetchVideo;
    h.stubs.api.fetchVideo = failingFirst(
      2,
      () => ApplicationFailure.retryable('503 Service Unavailable', 'TransientApiError'),
      async (input) => healthy(input),
    );
    const record = h.stubs.api.fetchVideo;
    h.stubs.api.fetchVideo = async (input) => {
      startedAt.push(await h.env.currentTimeMs());
      return record(input);
    };
    const summary = await h.ingest({ testId, dest, only: 'videos' });
    expect(summary).toMatchObject({ failed: 0, counts: expect.objectContaining({ video: { stored: 1, skipped: 0, failed: 0 } }) });
    expect(h.calls('fetchVideo')).toHaveLength(3);
    // retryInitialIntervalMs 2000, backoff 2: 2 s, then 4 s, on the server's clock (skipped, not waited).
    const gaps = startedAt.slice(1).map((t, i) => t - startedAt[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(2000);
    expect(gaps[1]).toBeGreaterThanOrEqual(4000);
  });

  test('a non-retryable failure fails that asset at once, with its type and message, and records it; the others are stored', async () => {
    h.stubs.api.fetchTranscript = async () => {
      throw ApplicationFailure.nonRetryable('the transcript is not WebVTT', 'InvalidMedia');
    };
    const summary = await h.ingest({ testId, dest, only: 'videos,transcripts' });
    expect(h.calls('fetchTranscript')).toHaveLength(1);
    const reason = 'InvalidMedia: the transcript is not WebVTT';
    expect(summary).toMatchObject({ failed: 1, failures: [{ kind: 'transcript', id: session.sessionId, reason }] });
    expect(summary.counts.video.stored).toBe(1);
    expect(summary.manifestPath).toBeDefined();
    expect(h.recorded).toEqual([expect.objectContaining({ kind: 'transcript', sessionId: session.sessionId, status: 'failed', reason })]);
  });

  test('a failure marked retryable but of a type no retry can fix (NotFound, ...) is not retried', async () => {
    h.stubs.api.fetchSessionDetails = async () => {
      throw ApplicationFailure.retryable('404 Not Found', 'NotFound');
    };
    const summary = await h.ingest({ testId, dest, only: 'details' });
    expect(h.calls('fetchSessionDetails')).toHaveLength(1);
    expect(summary.failures).toEqual([{ kind: 'details', id: session.sessionId, reason: 'NotFound: 404 Not Found' }]);
  });

  test('an activity that keeps failing is retried 30 times over about an hour of (skipped) time, then its asset fails', async () => {
    h.stubs.api.fetchVideo = async () => {
      throw ApplicationFailure.retryable('502 Bad Gateway', 'TransientApiError');
    };
    const before = await h.env.currentTimeMs();
    const started = Date.now();
    const summary = await h.ingest({ testId, dest, only: 'videos' });
    expect(h.calls('fetchVideo')).toHaveLength(30);
    expect(summary.failures).toEqual([{ kind: 'video', id: session.sessionId, reason: 'TransientApiError: 502 Bad Gateway' }]);
    // 2 + 4 + ... + 64 s, then 23 × the 2-minute cap: 48 minutes of backoff, in seconds of real time.
    expect((await h.env.currentTimeMs()) - before).toBeGreaterThanOrEqual(48 * MINUTE);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  test('a 429 waits the nextRetryDelay the activity gives, not the backoff', async () => {
    const startedAt: number[] = [];
    const failing = failingFirst(
      1,
      () => ApplicationFailure.create({ message: '429 Too Many Requests', type: 'RateLimited', nextRetryDelay: '45 seconds' }),
      async ({ testId: t, sessionId }: { testId: string; sessionId: string }) => stored('video', { testId: t, sessionId }),
    );
    h.stubs.api.fetchVideo = async (input) => {
      startedAt.push(await h.env.currentTimeMs());
      return failing(input);
    };
    const summary = await h.ingest({ testId, dest, only: 'videos' });
    expect(summary.failed).toBe(0);
    expect(startedAt[1] - startedAt[0]).toBeGreaterThanOrEqual(45_000);
  });

  test("a session workflow whose destination look-up fails for good: the parent fails that session's wanted kinds and records them", async () => {
    h.stubs.storage.findStoredAssets = async (input) => {
      if (input.sessionId) throw ApplicationFailure.nonRetryable('bucket mem://bucket does not exist', 'InvalidDestination');
      return { stored: {}, knownAbsent: [], recorded: [] };
    };
    const summary = await h.ingest({ testId, dest, only: 'videos,clips' });
    const reason = 'session workflow failed: InvalidDestination: bucket mem://bucket does not exist';
    expect(summary.failures).toEqual([
      { kind: 'video', id: session.sessionId, reason },
      { kind: 'clip', id: session.sessionId, reason },
    ]);
    expect(h.recorded.map((o) => o.kind).sort()).toEqual(['clip', 'video']);
    expect(h.calls('fetchVideo')).toHaveLength(0);
  });

  test('a destination that fails the first check fails the run before any API request', async () => {
    h.stubs.storage.findStoredAssets = async () => {
      throw ApplicationFailure.nonRetryable('not a destination: ftp://x', 'InvalidDestination');
    };
    await expect(h.ingest({ testId, dest: 'ftp://x' })).rejects.toThrow('Workflow execution failed');
    expect(h.apiCalls).toEqual([]);
  });
});
