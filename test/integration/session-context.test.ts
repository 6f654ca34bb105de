import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateScenario } from '../../simulator';
import { openDestination, parseDestination, type Destination } from '../../storage';
import { readAll } from '../support/generated-source';
import type { Manifest } from '../../contract/manifest-types';
import { detailsPath, manifestPath, qxScorePath } from '../../contract/asset-paths';
import type { TestPlan } from '../../contract/plan-types';
import { createPipelineFixture, runOptions, type PipelineFixture } from '../support/pipeline-fixture';

/**
 * The session context analysts join the media with: `session.json` (v3 details) for every session and
 * `qxscore.json` for an interaction test, one request each, stored only when the answer changed, and
 * asked for again on a rerun only with `refreshDetails`.
 */
const media = {
  videoBytes: [20_000, 40_000] as [number, number],
  clipBytes: [5_000, 9_000] as [number, number],
  reelBytes: [10_000, 20_000] as [number, number],
};
const interaction = generateScenario({
  seed: 7311,
  sessions: 6,
  reels: 1,
  clipsPerSession: [0, 1],
  productMix: { NON_THINK_OUT_LOUD: 1, THINK_OUT_LOUD: 1, LIVE_CONVERSATION: 0, SURVEY: 0 },
  ...media,
});
const thinkAloud = generateScenario({
  seed: 7312,
  sessions: 3,
  reels: 0,
  clipsPerSession: [0, 0],
  productMix: { THINK_OUT_LOUD: 1, NON_THINK_OUT_LOUD: 0, LIVE_CONVERSATION: 0, SURVEY: 0 },
  ...media,
});
const scenario = {
  ...interaction,
  tests: [...interaction.tests!, ...thinkAloud.tests!],
  rateLimit: { limit: 600, windowMs: 60_000 },
  generation: { generatingMs: 40 },
};

const CONTEXT = new Set(['sessionDetails', 'qxScores']);

describe('session context: session.json and qxscore.json', () => {
  let fx: PipelineFixture;
  let root: string;
  let dest: Destination;

  beforeAll(async () => {
    fx = await createPipelineFixture(scenario);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-context-'));
    dest = openDestination(parseDestination(root));
    await fx.startWorkers();
  });
  afterAll(async () => {
    await fx.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const json = async (relativePath: string) => JSON.parse((await readAll(dest.readObject(relativePath))).toString('utf8'));
  const contextCalls = () => fx.sim.stats().calls.filter((c) => CONTEXT.has(c.operation));
  const plan = async (testId: string, extra: Record<string, unknown> = {}): Promise<TestPlan> =>
    (await fx.client.workflow.execute('planTestResult', {
      taskQueue: fx.settings.taskQueue,
      workflowId: `ut-media-plan-${crypto.randomUUID()}`,
      args: [{ testId, dest: root, options: runOptions(fx.settings), ...extra }],
    })) as TestPlan;

  test('an interaction test: session.json for each session and one qxscore.json; a rerun asks again only when told to', async () => {
    const test = fx.sim.scenario.tests[0];
    const { testId, sessions } = test;
    expect(new Set(sessions.map((s) => s.productType))).toEqual(new Set(['NON_THINK_OUT_LOUD', 'THINK_OUT_LOUD']));

    const first = await plan(testId);
    expect(first.kinds.details).toEqual({ toFetch: sessions.length, stored: 0, knownAbsent: 0 });
    expect(first.kinds.qxscore).toEqual({ toFetch: 1, stored: 0, knownAbsent: 0 });
    expect(first.requests).toMatchObject({ sessionDetails: sessions.length, qxScores: 1 });

    fx.sim.resetStats();
    const summary = await fx.ingest({ testId, dest: root });
    expect(summary.failures).toEqual([]);
    expect(summary.counts.details).toEqual({ stored: sessions.length, skipped: 0, failed: 0 });
    expect(summary.counts.qxscore).toEqual({ stored: 1, skipped: 0, failed: 0 });
    // One request each, inside the run's count.
    expect(fx.sim.stats().calls.filter((c) => c.operation === 'sessionDetails')).toHaveLength(sessions.length);
    expect(fx.sim.stats().calls.filter((c) => c.operation === 'qxScores')).toHaveLength(1);
    expect(summary.apiRequests).toBe(fx.sim.stats().calls.length);

    for (const s of sessions) {
      expect(await json(detailsPath(testId, s.sessionId))).toEqual(fx.sim.expectedSessionDetails(s.sessionId));
      expect((await dest.stat(detailsPath(testId, s.sessionId)))!.metadata).toMatchObject({ kind: 'details', testId, sessionId: s.sessionId });
    }
    const qx = await json(qxScorePath(testId));
    expect(qx).toEqual(fx.sim.expectedQxScores(testId));
    expect(qx.meta.completes).toBe(sessions.filter((s) => s.productType === 'NON_THINK_OUT_LOUD').length);
    expect((await dest.stat(qxScorePath(testId)))!.metadata).toMatchObject({ kind: 'qxscore', testId, sessionsListed: String(sessions.length) });

    const manifest = (await json(manifestPath(testId))) as Manifest;
    const byKind = (kind: string) => manifest.assets.filter((a) => a.kind === kind);
    expect(
      byKind('details')
        .map((a) => a.sessionId)
        .sort(),
    ).toEqual(sessions.map((s) => s.sessionId).sort());
    expect(byKind('details').every((a) => a.status === 'stored' && a.storagePath.endsWith('/session.json') && typeof a.md5 === 'string')).toBe(true);
    expect(byKind('qxscore')).toEqual([expect.objectContaining({ status: 'stored', sessionsListed: sessions.length, completes: qx.meta.completes })]);

    // A rerun: nothing asked again, nothing rewritten.
    const before = new Map<string, string | undefined>();
    for (const s of sessions) before.set(s.sessionId, (await dest.stat(detailsPath(testId, s.sessionId)))!.generation);
    fx.sim.resetStats();
    const again = await fx.ingest({ testId, dest: root });
    expect(contextCalls()).toEqual([]);
    expect(again.downloaded).toBe(0);
    expect(again.counts.details.stored).toBe(sessions.length);
    expect((await plan(testId)).requests).toMatchObject({ sessionDetails: 0, qxScores: 0 });

    // One session's answers change; a refresh asks for every session again and rewrites only that one and the QXscores.
    const changed = sessions.find((s) => s.productType === 'NON_THINK_OUT_LOUD')!;
    fx.sim.updateSessionDetails(changed.sessionId);
    expect((await plan(testId, { refreshDetails: true })).requests).toMatchObject({ sessionDetails: sessions.length, qxScores: 1 });
    fx.sim.resetStats();
    const refreshed = await fx.ingest({ testId, dest: root, refreshDetails: true });
    expect(refreshed.failures).toEqual([]);
    expect(contextCalls().filter((c) => c.operation === 'sessionDetails')).toHaveLength(sessions.length);
    expect(contextCalls().filter((c) => c.operation === 'qxScores')).toHaveLength(1);
    expect(refreshed.downloaded).toBe(2);
    for (const s of sessions) {
      const now = (await dest.stat(detailsPath(testId, s.sessionId)))!.generation;
      if (s.sessionId === changed.sessionId) expect(now).not.toBe(before.get(s.sessionId));
      else expect(now).toBe(before.get(s.sessionId));
      expect(await json(detailsPath(testId, s.sessionId))).toEqual(fx.sim.expectedSessionDetails(s.sessionId));
    }
    expect(await json(qxScorePath(testId))).toEqual(fx.sim.expectedQxScores(testId));
  });

  test('a think-out-loud test has no QXscore: recorded as skipped once, not asked again; --only details fetches details alone', async () => {
    const { testId, sessions } = fx.sim.scenario.tests[1];
    expect(fx.sim.expectedQxScores(testId)).toBeUndefined();

    fx.sim.resetStats();
    const summary = await fx.ingest({ testId, dest: root, only: ['details', 'qxscore'] });
    expect(summary.counts.details.stored).toBe(sessions.length);
    expect(summary.counts.qxscore).toEqual({ stored: 0, skipped: 1, failed: 0 });
    expect(summary.failed).toBe(0);
    // Details alone: no media request of any kind, only the session list, the details and the QXscore.
    expect(new Set(fx.sim.stats().calls.map((c) => c.operation))).toEqual(new Set(['listSessions', 'sessionDetails', 'qxScores']));
    const manifest = (await json(manifestPath(testId))) as Manifest;
    expect(manifest.assets.filter((a) => a.kind === 'qxscore')).toEqual([expect.objectContaining({ status: 'skipped', bytes: null })]);
    expect(fs.existsSync(path.join(root, qxScorePath(testId)))).toBe(false);

    fx.sim.resetStats();
    const again = await fx.ingest({ testId, dest: root, only: 'details,qxscore' });
    expect(contextCalls()).toEqual([]);
    expect(again.counts.qxscore.skipped).toBe(1);
    // A refresh asks for every session's details again, but not for what the API said it lacks.
    fx.sim.resetStats();
    const refreshed = await fx.ingest({ testId, dest: root, only: 'details,qxscore', refreshDetails: true });
    expect(contextCalls().map((c) => c.operation)).toEqual(sessions.map(() => 'sessionDetails'));
    expect(refreshed.downloaded).toBe(0);
    const planned = await plan(testId, { only: ['qxscore'] });
    expect(planned.kinds.qxscore).toEqual({ toFetch: 0, stored: 0, knownAbsent: 1 });
    expect(planned.requests.sessionPages).toBe(0);
  });
});

describe('session context: an answer that breaks the API description', () => {
  let fx: PipelineFixture;
  let root: string;

  beforeAll(async () => {
    const small = generateScenario({
      seed: 7313,
      sessions: 2,
      reels: 0,
      clipsPerSession: [0, 0],
      productMix: { NON_THINK_OUT_LOUD: 1, THINK_OUT_LOUD: 0, LIVE_CONVERSATION: 0, SURVEY: 0 },
      ...media,
    });
    fx = await createPipelineFixture({
      ...small,
      rateLimit: { limit: 600, windowMs: 60_000 },
      faults: { malformedAnswers: [{ operation: 'sessionDetails', kind: 'missingField', count: 1 }] },
    });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-context-bad-'));
    await fx.startWorkers();
  });
  afterAll(async () => {
    await fx.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test("fails that session's details (recorded, the run says so) and stores nothing; the next run fetches them", async () => {
    const { testId, sessions } = fx.sim.scenario.tests[0];
    const first = await fx.ingest({ testId, dest: root, only: ['details'] });
    expect(first.counts.details).toEqual({ stored: sessions.length - 1, skipped: 0, failed: 1 });
    expect(first.failures).toEqual([expect.objectContaining({ kind: 'details', reason: expect.stringMatching(/does not match the API description/) })]);
    const failedId = first.failures[0].id;
    expect(fs.existsSync(path.join(root, detailsPath(testId, failedId)))).toBe(false);
    const manifest = JSON.parse(fs.readFileSync(path.join(root, manifestPath(testId)), 'utf8')) as Manifest;
    expect(manifest.assets.filter((a) => a.status === 'failed')).toEqual([expect.objectContaining({ kind: 'details', sessionId: failedId })]);

    fx.sim.resetStats();
    const second = await fx.ingest({ testId, dest: root, only: ['details'] });
    expect(second.failed).toBe(0);
    expect(fx.sim.stats().calls.filter((c) => c.operation === 'sessionDetails')).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(root, detailsPath(testId, failedId)), 'utf8'))).toEqual(fx.sim.expectedSessionDetails(failedId));
  });
});
