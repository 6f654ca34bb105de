import type { GenerationCheck } from '../../contract/asset-types';
import { generationWorkflowId } from '../../contract/task-queues';
import type { Clip, Reel } from '../../usertesting/schemas';
import { WorkflowHarness, pagedList, sessionsOf, stored, uuid } from '../support/time-skipping';

const reel = (n: number): Reel => ({
  uuid: uuid(n, 0xee),
  name: `reel ${n}`,
  durationMs: 30_000,
  lastUpdatedAtMs: 1_700_000_000_000,
  numClips: 2,
  areAllClipsInReel: true,
});
const clip = (n: number): Clip => ({
  uuid: uuid(n, 0xcc),
  name: `clip ${n}`,
  timeStartMs: 0,
  timeEndMs: 5000,
  videoUuid: uuid(n, 0xdd),
  hasAudio: true,
  hasCamera: false,
});

/** The durable poll of a generating reel or clip: workflow timers, which the test server skips. */
describe('generation polling (time-skipping, stubbed activities)', () => {
  let h: WorkflowHarness;
  beforeAll(async () => {
    h = await WorkflowHarness.start();
  });
  afterEach(() => h.reset());
  afterAll(() => h?.close());

  const testId = uuid(21);
  const dest = 'mem://bucket';

  /** Answers `generating` (with `checkAgainInMs` if given) for the first `n` checks of each asset, then `done`, or `last` if given. */
  function generatingFor(n: number, opts: { checkAgainInMs?: number; last?: GenerationCheck } = {}) {
    const checks = new Map<string, number>();
    const serverTimes: number[] = [];
    const answer = async (id: string, done: GenerationCheck): Promise<GenerationCheck> => {
      serverTimes.push(await h.env.currentTimeMs());
      const seen = (checks.get(id) ?? 0) + 1;
      checks.set(id, seen);
      if (seen <= n) return { state: 'generating', ...(opts.checkAgainInMs !== undefined && { checkAgainInMs: opts.checkAgainInMs }) };
      return opts.last ?? done;
    };
    h.stubs.api.fetchReel = async ({ testId: t, reel: r }) => answer(r.uuid, { state: 'done', outcome: stored('reel', { testId: t, reelId: r.uuid }) });
    h.stubs.api.fetchClip = async ({ testId: t, sessionId, clip: c }) =>
      answer(c.uuid, { state: 'done', outcome: stored('clip', { testId: t, sessionId, clipId: c.uuid }) });
    /** Server time between consecutive checks. */
    return { waits: () => serverTimes.slice(1).map((t, i) => t - serverTimes[i]) };
  }

  test('a reel that generates for minutes: checked on a growing backoff (3 s doubling to the 60 s cap), then stored; the minutes are skipped', async () => {
    h.stubs.api.listReels = async () => ({ found: true, reels: [reel(1)] });
    const poll = generatingFor(7);
    const started = Date.now();
    const summary = await h.ingest({ testId, dest, only: 'reels' });
    expect(summary).toMatchObject({ failed: 0, counts: expect.objectContaining({ reel: { stored: 1, skipped: 0, failed: 0 } }) });
    const checks = h.calls('fetchReel');
    expect(checks).toHaveLength(8);
    // The first request starts the generation; every later one carries when the workflow first saw it generating.
    expect(checks[0].generation).toBeUndefined();
    expect(checks.slice(1).every((c) => typeof (c.generation as { startedAtMs?: number }).startedAtMs === 'number')).toBe(true);
    const expected = [3, 6, 12, 24, 48, 60, 60].map((s) => s * 1000);
    poll.waits().forEach((wait, i) => expect(wait).toBeGreaterThanOrEqual(expected[i]));
    // 213 s of polling on the workflow's clock.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  test("the worker's advice on when to check again replaces the backoff (cut to pollMaxDelayMs)", async () => {
    h.stubs.api.listReels = async () => ({ found: true, reels: [reel(2)] });
    const poll = generatingFor(3, { checkAgainInMs: 5 * 60_000 });
    await h.ingest({ testId, dest, only: 'reels', options: { pollMaxDelayMs: 90_000 } });
    expect(h.calls('fetchReel')).toHaveLength(4);
    for (const wait of poll.waits()) expect(wait).toBeGreaterThanOrEqual(90_000);
  });

  test('past inlinePolls an awaitGeneration child takes the wait over, continuing as new every pollsPerRun checks; its checks are counted', async () => {
    h.stubs.api.listReels = async () => ({ found: true, reels: [reel(3)] });
    generatingFor(12);
    const summary = await h.ingest({ testId, dest, only: 'reels', options: { inlinePolls: 3, pollsPerRun: 4 } });
    expect(summary.counts.reel.stored).toBe(1);
    expect(h.calls('fetchReel')).toHaveLength(13);
    // listReels, then 3 checks in the reels workflow and 10 in the child's runs.
    expect(summary.apiRequests).toBe(14);
    const child = await h.client.workflow.getHandle(generationWorkflowId(reel(3).uuid)).describe();
    expect(child.type).toBe('awaitGeneration');
    expect(child.status.name).toBe('COMPLETED');
    // 10 checks at 4 a run: the third run ended it.
    const firstRunId = child.raw.workflowExecutionInfo?.firstRunId;
    expect(firstRunId).toEqual(expect.any(String));
    expect(firstRunId).not.toBe(child.runId);
  });

  test('a generation that ends in ERROR is started again, up to maxGenerationAttempts, then the clip fails', async () => {
    const [session] = sessionsOf(1, 21);
    h.stubs.api.listSessionsPage = pagedList([session]);
    h.stubs.api.listClips = async () => ({ found: true, clips: [clip(1), clip(2)] });
    h.stubs.api.fetchClip = async ({ testId: t, sessionId, clip: c }) =>
      c.uuid === clip(1).uuid ? { state: 'error' } : { state: 'done', outcome: stored('clip', { testId: t, sessionId, clipId: c.uuid }) };
    const summary = await h.ingest({ testId, dest, only: 'clips' });
    expect(summary.counts.clip).toEqual({ stored: 1, skipped: 0, failed: 1 });
    expect(summary.failures).toEqual([{ kind: 'clip', id: clip(1).uuid, reason: 'generation ended in ERROR 3 times' }]);
    const failing = h.calls('fetchClip').filter((c) => (c.clip as Clip).uuid === clip(1).uuid);
    // Each attempt starts anew: no generation under way.
    expect(failing.map((c) => c.generation)).toEqual([undefined, undefined, undefined]);
    expect(h.recorded).toEqual([expect.objectContaining({ kind: 'clip', clipId: clip(1).uuid, status: 'failed' })]);
  });

  test('a clip still generating at the deadline is failed with the time it waited', async () => {
    const [session] = sessionsOf(1, 22);
    h.stubs.api.listSessionsPage = pagedList([session]);
    h.stubs.api.listClips = async () => ({ found: true, clips: [clip(3)] });
    generatingFor(Infinity);
    const before = await h.env.currentTimeMs();
    const summary = await h.ingest({ testId, dest, only: 'clips', options: { generationDeadlineMs: 30 * 60_000 } });
    expect(summary.failures).toEqual([{ kind: 'clip', id: clip(3).uuid, reason: 'still generating after 1800 s (deadline 1800 s)' }]);
    expect((await h.env.currentTimeMs()) - before).toBeGreaterThanOrEqual(30 * 60_000);
    // 3 + 6 + ... + 48 s, then every 60 s to the deadline (past the 20 inline polls: in the child).
    expect(h.calls('fetchClip').length).toBeGreaterThanOrEqual(30);
  });
});
