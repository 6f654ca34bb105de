import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateScenario } from '../../simulator';
import type { TestPlan } from '../../contract/plan-types';
import { createPipelineFixture, runOptions, type PipelineFixture } from '../support/pipeline-fixture';

/**
 * `plan` against what the ingestion then really spends: a test with some assets stored (an earlier
 * run of a few sessions, one of them a survey whose 404s are recorded) and many still to fetch.
 */
const scenario = {
  ...generateScenario({
    seed: 5207,
    sessions: 14,
    reels: 2,
    clipsPerSession: [0, 3],
    productMix: { THINK_OUT_LOUD: 3, NON_THINK_OUT_LOUD: 1, SURVEY: 1 },
    videoBytes: [50_000, 120_000],
    clipBytes: [10_000, 30_000],
    reelBytes: [30_000, 60_000],
  }),
  rateLimit: { limit: 600, windowMs: 60_000 },
  pageCap: 5,
  generation: { generatingMs: 40 },
};

const LISTING = new Set(['listSessions', 'listReels', 'listClips']);

describe('plan: what an ingestion would fetch and spend', () => {
  let fx: PipelineFixture;
  let testId: string;
  let root: string;

  beforeAll(async () => {
    fx = await createPipelineFixture(scenario);
    testId = fx.sim.scenario.tests[0].testId;
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-plan-'));
    await fx.startWorkers();
  });
  afterAll(() => fx.close());

  const plan = async (): Promise<TestPlan> =>
    (await fx.client.workflow.execute('planTestResult', {
      taskQueue: fx.settings.taskQueue,
      workflowId: `ut-media-plan-${crypto.randomUUID()}`,
      args: [{ testId, dest: `file://${root}`, options: runOptions(fx.settings) }],
    })) as TestPlan;

  test('counts stored and new assets, spends only listings, and is within 5 % of the ingestion that follows', async () => {
    const sessions = fx.sim.scenario.tests[0].sessions;
    const survey = sessions.find((s) => s.productType === 'SURVEY')!;
    const early = [
      survey.sessionId,
      ...sessions
        .filter((s) => s.productType !== 'SURVEY')
        .slice(0, 3)
        .map((s) => s.sessionId),
    ];
    await fx.ingest({ testId, dest: `file://${root}`, sessionIds: early, only: ['clips', 'videos', 'transcripts'] });
    const before = fs.readdirSync(root, { recursive: true }).length;

    fx.sim.resetStats();
    const planned = await plan();
    const planCalls = fx.sim.stats().calls;
    expect(planCalls.length).toBeGreaterThan(0);
    expect(planCalls.filter((c) => !LISTING.has(c.operation))).toEqual([]);
    expect(planCalls).toHaveLength(planned.listingRequestsSpent);
    expect(fs.readdirSync(root, { recursive: true }).length).toBe(before); // the plan wrote nothing

    const clipsOf = (ids: string[]) => sessions.filter((s) => ids.includes(s.sessionId)).reduce((n, s) => n + s.clips.length, 0);
    expect(planned.sessions).toBe(sessions.length);
    expect(planned.kinds.video).toEqual({ toFetch: sessions.length - early.length, stored: early.length - 1, knownAbsent: 1 });
    expect(planned.kinds.transcript.stored).toBe(early.length - 1);
    expect(planned.kinds.clip.stored).toBe(clipsOf(early));
    expect(planned.kinds.clip.toFetch).toBe(clipsOf(sessions.map((s) => s.sessionId)) - clipsOf(early));
    expect(planned.kinds.reel).toEqual({ toFetch: 2, stored: 0, knownAbsent: 0 });
    expect(planned.requests.sessionPages).toBe(Math.ceil(sessions.length / scenario.pageCap));

    fx.sim.resetStats();
    const summary = await fx.ingest({ testId, dest: `file://${root}` });
    expect(summary.failures).toEqual([]);
    const spent = fx.sim.stats().calls.length;
    expect(Math.abs(planned.apiRequests - spent) / spent).toBeLessThanOrEqual(0.05);

    // After the run, a plan finds everything stored and nothing left to fetch but the listings.
    const after = await plan();
    for (const kind of ['reel', 'clip', 'video', 'transcript'] as const) expect(after.kinds[kind].toFetch).toBe(0);
    expect(after.requests.generationChecks + after.requests.videoLinks + after.requests.transcripts).toBe(0);
  });
});
