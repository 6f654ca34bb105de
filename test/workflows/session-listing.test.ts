import { ApplicationFailure } from '@temporalio/common';
import { WorkflowHarness, pagedList, sessionsOf, uuid, type ApiStubs } from '../support/time-skipping';

type Stub = (pages: ApiStubs['listSessionsPage']) => ApiStubs['listSessionsPage'];

/** How ingestTestResult reads the session list page by page, and continues as new every sessionsPerRun sessions. */
describe('ingestTestResult: the session list and continue-as-new (time-skipping, stubbed activities)', () => {
  let h: WorkflowHarness;
  beforeAll(async () => {
    h = await WorkflowHarness.start();
  });
  afterEach(() => h.reset());
  afterAll(() => h?.close());

  const testId = uuid(7);
  const dest = 'mem://bucket';
  const offsets = () => h.calls('listSessionsPage').map((c) => c.offset);
  /** Sessions whose video was asked for; sessions of a page run side by side, so in no set order. */
  const videosBySession = () =>
    h
      .calls('fetchVideo')
      .map((c) => c.sessionId as string)
      .sort();

  test('more sessions than sessionsPerRun: continues as new with its cursor, each session ingested once, the tally carried over', async () => {
    const all = sessionsOf(7);
    h.stubs.api.listSessionsPage = pagedList(all);
    const summary = await h.ingest({ testId, dest, only: ['videos'], options: { sessionsPerRun: 3 } });
    expect(summary).toMatchObject({ sessions: 7, runs: 3, failed: 0, counts: expect.objectContaining({ video: { stored: 7, skipped: 0, failed: 0 } }) });
    expect(h.calls('listSessionsPage')).toEqual([0, 3, 6].map((offset) => ({ testId, offset, limit: 3 })));
    expect(videosBySession()).toEqual(all.map((s) => s.sessionId));
    // Every run's requests, the pages included, end up in the last run's summary.
    expect(summary.apiRequests).toBe(h.requestsSent);
    expect(summary.apiRequests).toBe(3 + 7);
  });

  test('sessions exactly a multiple of sessionsPerRun: the run that finds the list read writes the manifest', async () => {
    h.stubs.api.listSessionsPage = pagedList(sessionsOf(4));
    const summary = await h.ingest({ testId, dest, only: 'videos', options: { sessionsPerRun: 2 } });
    expect(summary).toMatchObject({ sessions: 4, runs: 2, manifestPath: `mem://${testId}/manifest.json` });
    expect(offsets()).toEqual([0, 2]);
  });

  test('a server that applies a smaller page than asked: the next page starts after what it returned', async () => {
    const all = sessionsOf(5);
    h.stubs.api.listSessionsPage = pagedList(all, 2);
    const summary = await h.ingest({ testId, dest, only: 'videos', options: { sessionsPerRun: 4 } });
    // Pages 0 and 2 make the run's 4 sessions; the next run reads on from 4.
    expect(offsets()).toEqual([0, 2, 4]);
    expect(summary).toMatchObject({ sessions: 5, failed: 0 });
    expect(videosBySession()).toEqual(all.map((s) => s.sessionId));
  });

  const shifted: Stub = (pages) => async (input) => (input.offset === 0 ? pages(input) : { ...(await pages({ ...input, offset: 1 })), offset: 1 });
  const emptyTooSoon: Stub = (pages) => async (input) =>
    input.offset === 0 ? pages(input) : { sessions: [], limit: input.limit, offset: input.offset, totalCount: 7 };
  test.each([
    ['the list shifted: the second page starts before the offset asked', shifted],
    ['an empty page while the count says more remain', emptyTooSoon],
  ])('a page that does not advance ends the listing with a failure record; what was listed is ingested (%s)', async (_case, stub) => {
    h.stubs.api.listSessionsPage = stub(pagedList(sessionsOf(7)));
    const summary = await h.ingest({ testId, dest, only: 'videos', options: { sessionsPerRun: 3 } });
    const reason = 'the session list stopped advancing at offset 3 of 7; the rest were not reached';
    expect(summary).toMatchObject({ sessions: 3, failed: 1, listsFailed: 1, failures: [{ kind: 'video', list: 'sessions', id: testId, reason }] });
    expect(summary.counts.video).toEqual({ stored: 3, skipped: 0, failed: 0 });
    expect(h.recorded).toEqual([expect.objectContaining({ kind: 'video', list: 'sessions', status: 'failed', reason })]);
    expect(offsets()).toEqual([0, 3]);
  });

  test('a session listed twice in a page (in another case) gets one child', async () => {
    const [a, b] = sessionsOf(2);
    h.stubs.api.listSessionsPage = async ({ offset, limit }) => ({
      sessions: [a, { ...a, sessionId: a.sessionId.toUpperCase() }, b],
      limit,
      offset,
      totalCount: 3,
    });
    const summary = await h.ingest({ testId, dest, only: 'videos' });
    expect(videosBySession()).toEqual([a.sessionId, b.sessionId].sort());
    expect(summary.sessions).toBe(2);
  });

  test('a session list that fails for good: one failed list record naming the offset, no session, the manifest still written', async () => {
    h.stubs.api.listSessionsPage = async () => {
      throw ApplicationFailure.nonRetryable('401 from the token endpoint: invalid_client', 'InvalidCredentials');
    };
    const summary = await h.ingest({ testId, dest, only: 'videos' });
    expect(summary).toMatchObject({ sessions: 0, failed: 1, listsFailed: 1, manifestPath: expect.any(String) });
    expect(summary.failures[0].reason).toBe('session list at offset 0: InvalidCredentials: 401 from the token endpoint: invalid_client');
    expect(h.calls('listSessionsPage')).toHaveLength(1);
    expect(h.recorded).toHaveLength(1);
  });

  test('--session ids: only those are ingested; one the list never shows is failed in the summary, not recorded', async () => {
    const all = sessionsOf(5);
    h.stubs.api.listSessionsPage = pagedList(all);
    const missing = uuid(99, 1);
    const summary = await h.ingest({ testId, dest, only: 'videos', sessionIds: [all[3].sessionId, missing], options: { sessionsPerRun: 2 } });
    expect(videosBySession()).toEqual([all[3].sessionId]);
    expect(summary).toMatchObject({ sessions: 1, failed: 1, failures: [{ kind: 'video', id: missing, reason: 'the test has no such session' }] });
    expect(h.recorded).toEqual([]);
  });
});
