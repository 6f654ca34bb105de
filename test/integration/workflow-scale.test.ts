import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateScenario } from '../../simulator';
import { measureHistories } from '../support/workflow-histories';
import type { IngestSummary, ProgressSnapshot } from '../../contract/asset-types';
import { progressQuery } from '../../contract/progress-query';
import { expectedAssets } from '../support/expectations';
import { createPipelineFixture, runOptions, type PipelineFixture } from '../support/pipeline-fixture';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'wf-scale-'));
const readManifest = (dest: string, testId: string) =>
  JSON.parse(fs.readFileSync(path.join(dest, `test_id=${testId}`, 'manifest.json'), 'utf8')) as { assets: Array<Record<string, unknown>> };

/** Issue #7 at small sizes: continue-as-new over batches, records at the destination, bounded histories. */
describe('ingestTestResult at scale (small batches)', () => {
  let fx: PipelineFixture;
  let testId: string;
  const scenario = generateScenario({
    seed: 9701,
    sessions: 14,
    reels: 2,
    clipsPerSession: [0, 2],
    videoBytes: 32 * 1024,
    clipBytes: 8 * 1024,
    reelBytes: 16 * 1024,
  });

  beforeAll(async () => {
    fx = await createPipelineFixture({ ...scenario, rateLimit: { limit: 6000, windowMs: 60_000 }, pageCap: 500, generation: { generatingMs: 20 } });
    testId = fx.sim.scenario.tests[0].testId;
    await fx.startWorkers();
  });
  afterAll(() => fx.close());

  test('continues as new every few sessions; progress answers across runs; records and manifest complete; histories small', async () => {
    const dest = tmp();
    const handle = await fx.client.workflow.start('ingestTestResult', {
      taskQueue: fx.settings.taskQueue,
      workflowId: `scale-batches-${Date.now()}`,
      args: [{ testId, dest, options: runOptions(fx.settings, { sessionsPerRun: 4, maxSessionsInFlight: 2 }) }],
    });
    const seenRuns = new Set<number>();
    const seenDone: number[] = [];
    // One query at a time: answers to overlapping queries can arrive out of order on a loaded machine.
    let finished = false;
    const polling = (async () => {
      while (!finished) {
        await handle.query(progressQuery).then(
          (p: ProgressSnapshot) => {
            if (p.runs) seenRuns.add(p.runs);
            seenDone.push(p.sessions.done);
          },
          () => undefined,
        );
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    let summary: IngestSummary;
    try {
      summary = (await handle.result()) as IngestSummary;
    } finally {
      finished = true;
      await polling;
    }
    expect(summary.failed).toBe(0);
    expect(summary.sessions).toBe(14);
    expect(summary.runs).toBe(4); // 4 + 4 + 4 + 2 sessions
    expect(seenRuns.size).toBeGreaterThanOrEqual(2);
    expect(seenDone).toEqual([...seenDone].sort((a, b) => a - b)); // progress never goes back across runs
    const final: ProgressSnapshot = await handle.query(progressQuery);
    expect(final).toMatchObject({ phase: 'done', sessions: { total: 14, done: 14 }, runs: 4 });

    const expected = expectedAssets(fx.sim, testId);
    const manifest = readManifest(dest, testId);
    expect(manifest.assets).toHaveLength(expected.length + 1); // and the test's page
    for (const asset of expected) {
      const entry = manifest.assets.find((a) => a.storagePath === `file://${path.join(dest, asset.relativePath)}`);
      expect(entry).toMatchObject({ kind: asset.kind, status: asset.status });
      if (asset.recordPath) expect(fs.existsSync(path.join(dest, asset.recordPath))).toBe(true);
    }
    const lines = fs
      .readFileSync(path.join(dest, `test_id=${testId}`, 'manifest.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(expected.length + 1);

    await new Promise((r) => setTimeout(r, 1500)); // visibility is eventually consistent
    const figures = await measureHistories(fx.client, `WorkflowId="${handle.workflowId}"`);
    expect(figures.runs).toBe(4);
    expect(figures.maxEvents).toBeLessThan(200);
    expect(figures.maxEventBytes).toBeLessThan(16 * 1024);
  });

  test('a partial run keeps every earlier record; a later full run spends no request on an asset known absent', async () => {
    const dest = tmp();
    await fx.ingest({ testId, dest });
    const before = readManifest(dest, testId).assets;
    fx.sim.resetStats();
    const partial = await fx.ingest({ testId, dest, only: ['videos'] });
    expect(partial.failed).toBe(0);
    const after = readManifest(dest, testId).assets;
    const strip = (a: Record<string, unknown>) => ({ kind: a.kind, storagePath: a.storagePath, status: a.status, reason: a.reason });
    expect(after.map(strip)).toEqual(before.map(strip));

    fx.sim.resetStats();
    const rerun = await fx.ingest({ testId, dest });
    expect(rerun.failed).toBe(0);
    const calls = fx.sim.stats().calls.map((c) => c.operation);
    // Only the listings are asked again (clip lists of sessions that have clips, to find new ones):
    // no video link, transcript or detail request, and no clip list of a session known to have none.
    const withVideo = expectedAssets(fx.sim, testId).filter((a) => a.kind === 'video' && a.status === 'stored').length;
    expect(calls.filter((op) => op !== 'listSessions' && op !== 'listReels' && op !== 'listClips')).toEqual([]);
    expect(calls.filter((op) => op === 'listClips')).toHaveLength(withVideo);
    expect(rerun.counts.video.skipped + rerun.counts.video.stored).toBe(14);
  });

  test('after the re-check age, a 404 learned earlier is asked again', async () => {
    const dest = tmp();
    await fx.ingest({ testId, dest, only: ['transcripts'] });
    const absent = expectedAssets(fx.sim, testId).filter((a) => a.kind === 'transcript' && a.status === 'skipped').length;
    expect(absent).toBeGreaterThan(0);
    fx.sim.resetStats();
    await fx.ingest({ testId, dest, only: ['transcripts'], options: runOptions(fx.settings, { absentRecheckMs: 1 }) });
    expect(fx.sim.stats().calls.filter((c) => c.operation === 'transcript')).toHaveLength(absent);
  });

  test('a session list that does not advance ends the listing with a failure record instead of looping', async () => {
    const stuck = await createPipelineFixture({
      ...scenario,
      rateLimit: { limit: 6000, windowMs: 60_000 },
      pageCap: 5,
      generation: { generatingMs: 20 },
      faults: { pagingRestartsAtOffset: 5 },
    });
    try {
      await stuck.startWorkers();
      const dest = tmp();
      const summary = await stuck.ingest({ testId, dest, only: ['videos'] });
      expect(summary.sessions).toBe(5);
      expect(summary.failures).toEqual([{ kind: 'video', list: 'sessions', id: testId, reason: expect.stringMatching(/stopped advancing at offset 5 of 14/) }]);
      expect(summary.listsFailed).toBe(1);
      expect(stuck.sim.stats().calls.filter((c) => c.operation === 'listSessions')).toHaveLength(2);
      const record = readManifest(dest, testId).assets.find((a) => a.status === 'failed');
      expect(record).toMatchObject({ kind: 'video', reason: expect.stringMatching(/stopped advancing/) });
    } finally {
      await stuck.close();
    }
  });

  // A poll costs about 0.2 s of Temporal work on 2 cores (more on a loaded one: 36 polls in 25 s were
  // seen), so this test makes some dozens, with small inlinePolls and pollsPerRun; `npm run bench --
  // --scale` makes thousands with the defaults.
  test('a reel that stays GENERATING until its deadline is failed after many polls; the other is stored; the wait continues as new', async () => {
    const [stuckReel] = scenario.tests[0].reels;
    const slow = await createPipelineFixture(
      { ...scenario, rateLimit: { limit: 1_000_000, windowMs: 60_000 }, generation: { generatingMs: 20 }, faults: { neverGenerated: [stuckReel.uuid!] } },
      { UT_MAX_CONCURRENT_DOWNLOADS: '8' },
    );
    try {
      await slow.startWorkers();
      const handle = await slow.client.workflow.start('ingestTestResult', {
        taskQueue: slow.settings.taskQueue,
        workflowId: `scale-deadline-${Date.now()}`,
        args: [
          {
            testId,
            dest: tmp(),
            only: ['reels'],
            options: runOptions(slow.settings, { pollInitialDelayMs: 1, pollMaxDelayMs: 1, generationDeadlineMs: 25_000, inlinePolls: 10, pollsPerRun: 10 }),
          },
        ],
      });
      const summary = (await handle.result()) as IngestSummary;
      expect(summary.counts.reel).toEqual({ stored: 1, skipped: 0, failed: 1 });
      expect(summary.failures).toEqual([{ kind: 'reel', id: stuckReel.uuid, reason: expect.stringMatching(/still generating after 2\d s/) }]);
      const polls = slow.sim.stats().calls.filter((c) => c.operation === 'reelDetail').length;
      // 10 inline, 10 in the child's first run, then at least one in the run it continued as.
      expect(polls).toBeGreaterThan(20);
      await new Promise((r) => setTimeout(r, 1500));
      const since = new Date(Date.now() - 120_000).toISOString();
      const generation = await measureHistories(slow.client, `WorkflowType="awaitGeneration" AND UtTestId="${testId}" AND StartTime > "${since}"`);
      // The wait went to a child after 10 polls; it continued as new every 10 polls.
      expect(generation.runs).toBeGreaterThanOrEqual(Math.max(2, Math.floor((polls - 10) / 10)));
      expect(generation.maxEvents).toBeLessThan(10 * 12);
      const reels = await measureHistories(slow.client, `WorkflowType="ingestReels" AND UtTestId="${testId}" AND StartTime > "${since}"`);
      // Bounded by inlinePolls (about 11 events a poll) plus the other reel, whatever the poll count.
      expect(reels.maxEvents).toBeLessThan(10 * 12 + 120);
    } finally {
      await slow.close();
    }
  });
});

describe('ingestTests (several tests as one workflow, for the Temporal UI)', () => {
  test('one child per test under its own id; a row per test; a test whose run fails is a failed row', async () => {
    const scenario = generateScenario({ seed: 9702, tests: 2, sessions: 2, reels: 1, videoBytes: 16 * 1024, clipBytes: 4 * 1024, reelBytes: 8 * 1024 });
    const fx = await createPipelineFixture({ ...scenario, rateLimit: { limit: 6000, windowMs: 60_000 }, generation: { generatingMs: 20 } });
    try {
      await fx.startWorkers();
      const [a, b] = fx.sim.scenario.tests.map((t) => t.testId);
      const unknown = '0a1b2c3d-4e5f-4a6b-8c7d-9e8f7a6b5c4d';
      const dest = tmp();
      const result = (await fx.client.workflow.execute('ingestTests', {
        taskQueue: fx.settings.taskQueue,
        workflowId: `tests-${Date.now()}`,
        args: [{ testIds: [a, b, a, unknown], dest, options: runOptions(fx.settings) }],
      })) as { tests: Array<{ testId: string; ok: boolean; summary?: IngestSummary; error?: string }>; failedTests: number };
      expect(result.tests.map((t) => [t.testId, t.ok])).toEqual([
        [a, true],
        [b, true],
        [unknown, false],
      ]);
      expect(result.failedTests).toBe(1);
      expect(result.tests[0].summary).toMatchObject({ testId: a, sessions: 2, failed: 0, workflowId: `ut-media-test-${a}` });
      for (const id of [a, b]) expect(fs.existsSync(path.join(dest, `test_id=${id}`, 'manifest.json'))).toBe(true);
    } finally {
      await fx.close();
    }
  });
});
