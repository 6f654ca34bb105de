import { ApplicationFailure } from '@temporalio/common';
import type { ProgressSnapshot } from '../../contract/asset-types';
import { progressQuery } from '../../contract/progress-query';
import type { Clip, Reel } from '../../usertesting/schemas';
import { WorkflowHarness, pagedList, sessionsOf, stored, uuid } from '../support/time-skipping';

const reel: Reel = { uuid: uuid(1, 0xee), name: 'reel', durationMs: 30_000, lastUpdatedAtMs: 1_700_000_000_000, numClips: 1, areAllClipsInReel: true };
const clipOf = (sessionId: string): Clip => ({
  uuid: `${sessionId.slice(0, 24)}cc${sessionId.slice(26)}`,
  name: 'clip',
  timeStartMs: 0,
  timeEndMs: 1000,
  videoUuid: sessionId,
  hasAudio: true,
  hasCamera: false,
});

/**
 * The Results API requests a run reports: each API activity's result carries `apiRequests` (its
 * retries included), its final failure carries `{ apiRequests }` as details, and the workflows add
 * them up across children, continue-as-new and the reels child. The workers here wrap the stubs in
 * ut-media's own `countingApiRequests`; each stub call is one request put on the wire.
 */
describe('the API request count (time-skipping, stubbed activities)', () => {
  let h: WorkflowHarness;
  beforeAll(async () => {
    h = await WorkflowHarness.start();
  });
  afterEach(() => h.reset());
  afterAll(() => h?.close());

  const testId = uuid(31);
  const dest = 'mem://bucket';
  const sessions = sessionsOf(3, 31);
  const TEST_LEVEL = ['listSessionsPage', 'listReels', 'fetchReel', 'fetchQxScore'] as const;

  function everyKind(): void {
    h.stubs.api.listSessionsPage = pagedList(sessions);
    h.stubs.api.listReels = async () => ({ found: true, reels: [reel] });
    h.stubs.api.listClips = async ({ sessionId }) => ({ found: true, clips: [clipOf(sessionId)] });
    // The reel generates for two checks, each clip for one.
    const checks = new Map<string, number>();
    const generating = (id: string, n: number) => {
      checks.set(id, (checks.get(id) ?? 0) + 1);
      return checks.get(id)! <= n;
    };
    h.stubs.api.fetchReel = async ({ testId: t, reel: r }) =>
      generating(r.uuid, 2) ? { state: 'generating' } : { state: 'done', outcome: stored('reel', { testId: t, reelId: r.uuid }) };
    h.stubs.api.fetchClip = async ({ testId: t, sessionId, clip }) =>
      generating(clip.uuid, 1) ? { state: 'generating' } : { state: 'done', outcome: stored('clip', { testId: t, sessionId, clipId: clip.uuid }) };
  }

  test('every request of a run is counted once: retried attempts, failures with their details, children, polls, the reels child', async () => {
    everyKind();
    const healthyVideo = h.stubs.api.fetchVideo;
    let videoCalls = 0;
    // The first session's video fails once (retried): the attempt that succeeds reports both requests.
    h.stubs.api.fetchVideo = async (input) => {
      if (input.sessionId === sessions[0].sessionId && ++videoCalls === 1) throw ApplicationFailure.retryable('503', 'TransientApiError');
      return healthyVideo(input);
    };
    // The second session's transcript sends two more requests (a token refresh, a retried 5xx) and fails for good: its failure reports all three.
    h.stubs.api.fetchTranscript = async ({ testId: t, sessionId }) => {
      if (sessionId !== sessions[1].sessionId) return stored('transcript', { testId: t, sessionId });
      h.sendRequests(2);
      throw ApplicationFailure.nonRetryable('the transcript is not WebVTT', 'InvalidMedia');
    };
    const workflowId = h.nextWorkflowId('count');
    const summary = await h.client.workflow.execute('ingestTestResult', { taskQueue: h.taskQueue, workflowId, args: [{ testId, dest }] });
    expect(summary).toMatchObject({ runs: 1, sessions: 3, failed: 1 });
    expect(h.calls('fetchVideo')).toHaveLength(4);
    expect(h.calls('fetchReel')).toHaveLength(3);
    expect(h.calls('fetchClip')).toHaveLength(6);
    // The page, listReels, 3 reel checks, the QXscores, and per session video, transcript, details, clip list and 2 clip checks; + the retry, + 2.
    expect(h.requestsSent).toBe(1 + 1 + 3 + 1 + 3 * 6 + 1 + 2);
    expect(summary.apiRequests).toBe(h.requestsSent);
    const progress: ProgressSnapshot = await h.client.workflow.getHandle(workflowId).query(progressQuery);
    const testLevel = h.apiCalls.filter((c) => (TEST_LEVEL as readonly string[]).includes(c.activity)).length;
    expect(progress).toMatchObject({ apiRequests: h.requestsSent, sessionApiRequests: h.requestsSent - testLevel });
  });

  test('a worker from before the count (no apiRequests in results or failures): one request per activity', async () => {
    h.countRequests = false;
    h.stubs.api.listSessionsPage = pagedList(sessions.slice(0, 1));
    let calls = 0;
    h.stubs.api.fetchVideo = async ({ testId: t, sessionId }) => {
      h.sendRequests(2);
      if (++calls === 1) throw ApplicationFailure.retryable('503', 'TransientApiError');
      return stored('video', { testId: t, sessionId });
    };
    h.stubs.api.fetchTranscript = async () => {
      throw ApplicationFailure.nonRetryable('the transcript is not WebVTT', 'InvalidMedia');
    };
    const summary = await h.ingest({ testId, dest, only: 'videos,transcripts' });
    expect(h.calls('fetchVideo')).toHaveLength(2);
    // The page, the video (two attempts, six requests) and the failed transcript: one each.
    expect(summary.apiRequests).toBe(3);
  });
});

/**
 * Its own test server: once an `ingestTestResult` continued as new while its reels child ran and
 * signalled it, the time-skipping server keeps time skipping locked, and every later timer on it
 * takes real time (seen with temporal-test-server 1.40.0; akin to temporalio/sdk-java#1540).
 */
describe('the API request count across continue-as-new (time-skipping, stubbed activities, a server of its own)', () => {
  let h: WorkflowHarness;
  beforeAll(async () => {
    h = await WorkflowHarness.start();
  });
  afterAll(() => h?.close());

  test("the reels child's requests reach the run it reports to, and every run's are in the summary", async () => {
    const testId = uuid(32);
    h.stubs.api.listSessionsPage = pagedList(sessionsOf(5, 32));
    h.stubs.api.listReels = async () => ({ found: true, reels: [reel] });
    const summary = await h.ingest({ testId, dest: 'mem://bucket', only: 'reels,videos,qxscore', options: { sessionsPerRun: 2 } });
    expect(summary).toMatchObject({
      runs: 3,
      sessions: 5,
      failed: 0,
      counts: expect.objectContaining({ reel: { stored: 1, skipped: 0, failed: 0 }, video: { stored: 5, skipped: 0, failed: 0 } }),
    });
    // 3 pages, 5 videos, listReels and the reel, the QXscores.
    expect(summary.apiRequests).toBe(h.requestsSent);
    expect(summary.apiRequests).toBe(3 + 5 + 2 + 1);
  });
});
