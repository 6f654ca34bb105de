/**
 * Rows 1–5 of `npm run bench`: how well a run spends the API budget. The rate bound of a run is the
 * fewest requests it can make ÷ the budget: no run can end sooner. Every run uses the product's
 * default poll and retry settings (only the budget is set per scenario).
 */
import fs from 'node:fs';
import path from 'node:path';
import { generateScenario, startSimulator, type RunningSimulator, type ScenarioInput } from '../simulator';
import { DEFAULT_RUN_OPTIONS } from '../contract/inputs';
import { minimumRequestsOfTest, requestsPerMinute } from '../simulator/budget-metrics';
import type { BenchIngest } from './support';
import type { BenchRow } from './table';
import { runTutorialLoop } from './tutorial-loop';
import { describeBreakdown, wallBreakdown, type WallBreakdown } from './wall-breakdown';
import { startTemporalDevServer } from '../infra/temporal-dev-server';

/** The product's poll and retry delays, divided by `timeScale` (1: as shipped). */
function settingsEnv(timeScale = 1): Record<string, string> {
  return {
    UT_POLL_INITIAL_DELAY_MS: String(Math.round(DEFAULT_RUN_OPTIONS.pollInitialDelayMs / timeScale)),
    UT_POLL_MAX_DELAY_MS: String(Math.round(DEFAULT_RUN_OPTIONS.pollMaxDelayMs / timeScale)),
    UT_RETRY_INITIAL_INTERVAL_MS: String(Math.round(DEFAULT_RUN_OPTIONS.retryInitialIntervalMs / timeScale)),
  };
}

/**
 * Rows 1–3 run 6 × faster than real time, so the tutorials' loop ends in minutes: generation 2 s
 * (12 s real), the loop's delays 0.5 s × attempt (the tutorials' 3 s), our poll and retry delays
 * ÷ 6. Requests are not scaled: the budget is what it is.
 */
const E2E_TIME_SCALE = 6;
const TUTORIAL_FIRST_DELAY_MS = 3000;
const MEDIA_KINDS = ['reels', 'clips', 'videos', 'transcripts'] as const;

interface Measured {
  seconds: number;
  requests: number;
  throttled: number;
  minimum: number;
  /** The fewest requests plus those the faults force, at the budget's pace. */
  boundSeconds: number;
  failed: number;
  breakdown: WallBreakdown;
}

function minimumOf(sim: RunningSimulator): number {
  const test = sim.scenario.tests[0];
  return minimumRequestsOfTest(test, Math.max(1, Math.ceil(test.sessions.length / Math.min(500, sim.scenario.pageCap))), 'media');
}

async function runOurs(ingest: BenchIngest, scenario: ScenarioInput, dest: string, timeScale = 1, env: Record<string, string> = {}): Promise<Measured> {
  const sim = await startSimulator({ scenario });
  try {
    const test = sim.scenario.tests[0];
    fs.mkdirSync(dest, { recursive: true });
    // The tutorials' job: the media only (session details and QXscores cost one request per session and one per test on top).
    const run = await ingest(sim, { testId: test.testId, dest, only: [...MEDIA_KINDS] }, { ...settingsEnv(timeScale), ...env });
    const { calls, media } = sim.stats();
    const minimum = minimumOf(sim);
    const breakdown = wallBreakdown(run, calls, media, minimum, requestsPerMinute(sim.scenario.rateLimit));
    return {
      seconds: (run.endedAt - run.startedAt) / 1000,
      requests: calls.length,
      throttled: calls.filter((c) => c.status === 429 && !c.faultInjected).length,
      minimum,
      boundSeconds: breakdown.boundSeconds,
      failed: run.summary.failed,
      breakdown,
    };
  } finally {
    await sim.close();
  }
}

async function runTutorial(scenario: ScenarioInput, dest: string): Promise<{ seconds: number; requests: number }> {
  const sim = await startSimulator({ scenario });
  try {
    const client = sim.scenario.clients[0];
    const started = Date.now();
    await runTutorialLoop({
      baseUrl: sim.baseUrl,
      tokenUrl: sim.tokenUrl,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      testId: sim.scenario.tests[0].testId,
      dest,
      initialDelayMs: TUTORIAL_FIRST_DELAY_MS / E2E_TIME_SCALE,
    });
    return { seconds: (Date.now() - started) / 1000, requests: sim.stats().calls.length };
  } finally {
    await sim.close();
  }
}

const describe = (m: Measured) =>
  `${m.seconds.toFixed(1)} s vs bound ${m.boundSeconds.toFixed(1)} s; ` +
  `${m.requests} requests, minimum ${m.minimum}${m.breakdown.forcedRequests ? ` + ${m.breakdown.forcedRequests} forced by faults` : ''}, ` +
  `${m.throttled} 429${m.failed ? `; ${m.failed} FAILED` : ''}; ${describeBreakdown(m.breakdown)}`;

export async function benchBudget(ingest: BenchIngest, scratch: string, quick: boolean): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const mixed = generateScenario({
    seed: 9001,
    sessions: quick ? 15 : 60,
    reels: 3,
    clipsPerSession: [0, 3],
    videoBytes: [256 * 1024, 1024 * 1024],
    clipBytes: [64 * 1024, 256 * 1024],
    reelBytes: [128 * 1024, 512 * 1024],
  });
  const e2e: ScenarioInput = { ...mixed, rateLimit: { limit: 300, windowMs: 60_000 }, generation: { generatingMs: 12_000 / E2E_TIME_SCALE } };
  const test = mixed.tests[0];
  const withVideo = test.sessions.filter((s) => s.productType !== 'SURVEY');
  const firstClip = test.sessions.flatMap((s) => s.clips ?? [])[0];

  console.log(
    `\n(1–3) ${test.sessions.length} sessions, ${test.reels.length} reels, ${test.sessions.reduce((n, s) => n + (s.clips?.length ?? 0), 0)} clips, ` +
      `budget 300/min; time ÷ ${E2E_TIME_SCALE}: generation ${12 / E2E_TIME_SCALE} s (12 s), the loop's delays and ours ÷ ${E2E_TIME_SCALE}`,
  );
  const ours = await runOurs(ingest, e2e, path.join(scratch, 'e2e'), E2E_TIME_SCALE);
  console.log(`    ut-media: ${describe(ours)}`);
  const tutorial = await runTutorial(e2e, path.join(scratch, 'tutorial'));
  console.log(`    the tutorials' loop: ${tutorial.seconds.toFixed(0)} s, ${tutorial.requests} requests`);
  rows.push(
    {
      id: 'e2e.speedup',
      label: "1. tutorials' loop wall / ut-media wall",
      value: tutorial.seconds / ours.seconds,
      target: { op: '>=', value: 4 },
      detail: `${tutorial.seconds.toFixed(0)} s vs ${ours.seconds.toFixed(0)} s`,
    },
    {
      id: 'e2e.requests',
      label: "1. ut-media requests / tutorials' loop",
      value: ours.requests / tutorial.requests,
      target: { op: '<=', value: 0.8 },
      detail: `${ours.requests} vs ${tutorial.requests}`,
    },
    wallBoundRow(ours, 'nofaults', '2. wall / rate bound, no faults'),
    requestsRow(ours, 'nofaults', '3. requests / minimum, no faults', 1.02),
  );

  const faults: ScenarioInput = {
    ...e2e,
    faults: {
      serverErrorEveryNth: 29,
      rateLimitBurst: { atCall: 20, count: 3, resetSeconds: 1 },
      revokeTokenAtCall: 45,
      generationErrorOnce: firstClip ? [firstClip.uuid!] : [],
      linkExpiredOnFirstUse: [`video:${withVideo[0]!.sessionId}`],
      cutBodyOnce: [`video:${withVideo[1]!.sessionId}`],
    },
  };
  const faulted = await runOurs(ingest, faults, path.join(scratch, 'faults'), E2E_TIME_SCALE);
  console.log(`    with the standard faults: ${describe(faulted)}`);
  rows.push(
    wallBoundRow(faulted, 'faults', '2. wall / rate bound, standard faults'),
    requestsRow(faulted, 'faults', '3. requests / minimum, standard faults', undefined, ' (faults cost requests by design)'),
  );

  const heavy = generateScenario({
    seed: 9002,
    sessions: 4,
    reels: 2,
    clipsPerSession: [8, 8],
    productMix: { THINK_OUT_LOUD: 1 },
    videoBytes: [64 * 1024, 128 * 1024],
    clipBytes: [32 * 1024, 64 * 1024],
    reelBytes: [64 * 1024, 128 * 1024],
  });
  console.log('\n(4) generation-heavy: 4 sessions × 8 clips, 2 reels, generation 20 s, budget 60/min, default settings');
  const generationHeavy = await runOurs(
    ingest,
    { ...heavy, rateLimit: { limit: 60, windowMs: 60_000 }, generation: { generatingMs: 20_000 } },
    path.join(scratch, 'heavy'),
  );
  console.log(`    ${describe(generationHeavy)}`);
  rows.push(
    requestsRow(generationHeavy, 'genheavy', '4. generation-heavy: requests / minimum', 1.02),
    wallBoundRow(generationHeavy, 'genheavy', '4. generation-heavy: wall / rate bound'),
  );

  if (!quick) {
    const small = generateScenario({
      seed: 9003,
      sessions: 2,
      reels: 1,
      clipsPerSession: [1, 1],
      productMix: { THINK_OUT_LOUD: 1 },
      videoBytes: [64 * 1024, 128 * 1024],
      clipBytes: [32 * 1024, 64 * 1024],
      reelBytes: [64 * 1024, 128 * 1024],
    });
    console.log('\n(5) the real default budget: 10/min, 2 sessions, 2 clips, 1 reel, generation 20 s, default settings');
    const real = await runOurs(
      ingest,
      { ...small, rateLimit: { limit: 10, windowMs: 60_000 }, generation: { generatingMs: 20_000 } },
      path.join(scratch, 'ten'),
    );
    console.log(`    ${describe(real)}`);
    rows.push(...tenPerMinuteRows(real, 'default10', '5. 10/min'));
  }
  return rows;
}

/** The two rows of a run at the real budget: wall against its bound, and no 429 at all. */
function tenPerMinuteRows(run: Measured, id: string, label: string): BenchRow[] {
  return [
    wallBoundRow(run, id, `${label}: wall / rate bound`),
    { id: `${id}.throttled`, label: `${label}: 429 answers`, value: run.throttled, target: { op: '<=', value: 0 }, detail: `${run.requests} requests` },
  ];
}

/** Wall time against the run's rate bound: every budget row's target. */
function wallBoundRow(run: Measured, id: string, label: string): BenchRow {
  return { id: `${id}.wallBound`, label, value: run.seconds / run.boundSeconds, target: { op: '<=', value: 1.1 }, detail: describe(run) };
}

/** Requests against the fewest the run could make; `target` where the row holds one. */
function requestsRow(run: Measured, id: string, label: string, target?: number, note = ''): BenchRow {
  return {
    id: `${id}.requestsMin`,
    label,
    value: run.requests / run.minimum,
    ...(target !== undefined ? { target: { op: '<=' as const, value: target } } : {}),
    detail: `${run.requests} / ${run.minimum}${note}`,
  };
}

/**
 * Row 5b: the same budget on a Temporal server nobody tuned (no dynamic config: 4 task-queue
 * partitions, no fairness), as most users start it; the workers find the partitions and pace
 * themselves (workers/api-pacing.ts).
 */
export async function defaultClusterRows(ingest: BenchIngest, scratch: string): Promise<BenchRow[]> {
  const scenario = generateScenario({
    seed: 9004,
    sessions: 5,
    reels: 1,
    clipsPerSession: [1, 1],
    productMix: { THINK_OUT_LOUD: 1 },
    videoBytes: [64 * 1024, 128 * 1024],
    clipBytes: [32 * 1024, 64 * 1024],
    reelBytes: [64 * 1024, 128 * 1024],
  });
  console.log('\n(5b) 10/min on a default Temporal server (no dynamic config): 5 sessions, 1 clip each, 1 reel, generation 20 s');
  const server = await startTemporalDevServer({ serverDefaults: true });
  try {
    const run = await runOurs(
      ingest,
      { ...scenario, rateLimit: { limit: 10, windowMs: 60_000 }, generation: { generatingMs: 20_000 } },
      path.join(scratch, 'default-cluster'),
      1,
      { TEMPORAL_ADDRESS: server.address },
    );
    console.log(`    ${describe(run)}`);
    return tenPerMinuteRows(run, 'defaultCluster', '5b. default cluster, 10/min');
  } finally {
    await server.stop();
  }
}
