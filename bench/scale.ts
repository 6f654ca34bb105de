/**
 * `npm run bench -- --scale` (`node dist/bench/run.js --scale` after `npm run build`).
 *
 * The scale scenario, run apart from the main table: at an API budget so high that Temporal (and
 * this machine) is the limit, with media of a few KiB so bytes do not dominate,
 *  - a 1,000-session survey test, then a 10,000-session survey test (every asset of a survey is a
 *    404 skip, so a session is pure workflow work), then a 3,000-session mixed test;
 *  - each through fresh in-process workers into a local folder (file://);
 *  - per run: wall time, seconds per 1,000 sessions, failed assets, the manifest against the
 *    scenario, API requests, the longest workflow history and the largest history event.
 * Checks: no failed asset and a complete manifest (exit 1 otherwise); s/1000 at 10,000 within
 * 1.3x of s/1000 at 1,000; the largest event (an upper bound of any payload) under 256 KiB; the
 * longest history under 10,000 events.
 *
 * Then a reel GENERATING until its deadline (bench/long-generation.ts).
 *
 * BENCH_SCALE_FACTOR (e.g. 0.1) scales every session count (and that deadline) down for a trial run.
 * BENCH_SCALE_FULL_HISTORIES (default 20000: every history is walked, about 7 s per 1,000 sessions
 * on 2 cores): runs with more sessions than this measure the parent's runs and every other
 * non-session workflow in full, plus an even sample of 200 session workflows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { measureHistories, type HistoryFigures } from '../test/support/workflow-histories';
import { expectedAssetStatuses, generateScenario, startSimulator, type ScenarioInput, type TestSpec } from '../simulator';
import type { IngestSummary } from '../contract/asset-types';
import { MiB, sampleRss, type ScaleBenchArgs } from './support';
export type { ScaleBenchArgs, BenchIngest } from './support';
import { runLongGenerationBench } from './long-generation';
import type { BenchRow } from './table';

const KiB = 1024;
const PAYLOAD_LIMIT = 256 * KiB;
const HISTORY_EVENTS_LIMIT = 10_000;
const RATIO_LIMIT = 1.3;
const SAMPLE_SESSIONS = 200;
const MAX_SESSIONS_IN_FLIGHT = 100;
const WORKER_ENV = { UT_MAX_CONCURRENT_DOWNLOADS: '16' };
const RATE_LIMIT = { limit: 1_000_000, windowMs: 60_000 };

interface ScaleCase {
  label: string;
  sessions: number;
  seed: number;
  survey: boolean;
}

interface ScaleResult {
  c: ScaleCase;
  generateMs: number;
  seconds: number;
  summary: IngestSummary;
  manifest: { assets: number; expected: number; missing: number; extra: number; wrongStatus: number; example?: string };
  requests: number;
  throttled: number;
  history: HistoryFigures & { sampled: boolean; measureSeconds: number };
  peakRssGrowth: number;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mark = (ok: boolean) => (ok ? '✓' : '✗');

/** kind:id → status, for every asset a complete ingestion of the test must list. */
function expectedStatuses(test: TestSpec): Map<string, 'stored' | 'skipped'> {
  return new Map(expectedAssetStatuses(test).map((a) => [`${a.kind}:${(a.reelId ?? a.clipId ?? a.sessionId ?? '').toLowerCase()}`, a.status]));
}

function checkManifest(destDir: string, test: TestSpec): ScaleResult['manifest'] {
  // Every run also lists the test's page (archive-page/), beside the scenario's assets.
  const expected = new Map([...expectedStatuses(test), ['page:', 'stored']]);
  const file = path.join(destDir, `test_id=${test.testId.toLowerCase()}`, 'manifest.json');
  if (!fs.existsSync(file)) return { assets: 0, expected: expected.size, missing: expected.size, extra: 0, wrongStatus: 0, example: 'no manifest.json' };
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    assets: Array<{ kind: string; status: string; sessionId?: string; reelId?: string; clipId?: string }>;
  };
  const seen = new Set<string>();
  let extra = 0;
  let wrongStatus = 0;
  let example: string | undefined;
  for (const a of manifest.assets) {
    const key = `${a.kind}:${(a.reelId ?? a.clipId ?? a.sessionId ?? '').toLowerCase()}`;
    const want = expected.get(key);
    if (!want) {
      extra++;
      example ??= `unexpected ${key} (${a.status})`;
    } else if (want !== a.status) {
      wrongStatus++;
      example ??= `${key} is ${a.status}, expected ${want}`;
    }
    seen.add(key);
  }
  const missingKeys = [...expected.keys()].filter((k) => !seen.has(k));
  example ??= missingKeys.length ? `missing ${missingKeys[0]}` : undefined;
  return { assets: manifest.assets.length, expected: expected.size, missing: missingKeys.length, extra, wrongStatus, example };
}

function merge(into: HistoryFigures, f: HistoryFigures): void {
  into.runs += f.runs;
  if (f.maxEvents > into.maxEvents) {
    into.maxEvents = f.maxEvents;
    into.workflowOfMaxEvents = f.workflowOfMaxEvents;
  }
  if (f.maxEventBytes > into.maxEventBytes) {
    into.maxEventBytes = f.maxEventBytes;
    into.eventTypeOfMaxBytes = f.eventTypeOfMaxBytes;
  }
}

/** Every run of the test, or for large tests: all non-session workflows plus an even sample of sessions. */
async function histories(client: Client, test: TestSpec, parentId: string, fullUpTo: number): Promise<ScaleResult['history']> {
  const started = Date.now();
  const testId = test.testId.toLowerCase();
  const figures: HistoryFigures = { runs: 0, maxEvents: 0, maxEventBytes: 0 };
  const sampled = test.sessions.length > fullUpTo;
  if (!sampled) {
    merge(figures, await measureHistories(client, `UtTestId="${testId}"`));
  } else {
    merge(figures, await measureHistories(client, `WorkflowId="${parentId}"`));
    merge(figures, await measureHistories(client, `UtTestId="${testId}" AND WorkflowType!="ingestSession" AND WorkflowId!="${parentId}"`));
    const step = test.sessions.length / SAMPLE_SESSIONS;
    for (let i = 0; i < SAMPLE_SESSIONS; i++) {
      const s = test.sessions[Math.floor(i * step)];
      merge(figures, await measureHistories(client, `UtTestId="${testId}" AND UtSessionId="${s.sessionId.toLowerCase()}"`));
    }
  }
  return { ...figures, sampled, measureSeconds: (Date.now() - started) / 1000 };
}

async function runCase(args: ScaleBenchArgs, client: Client, c: ScaleCase, fullUpTo: number): Promise<ScaleResult> {
  const t0 = Date.now();
  const generated = c.survey
    ? generateScenario({
        seed: c.seed,
        sessions: c.sessions,
        reels: 0,
        productMix: { SURVEY: 1, THINK_OUT_LOUD: 0, NON_THINK_OUT_LOUD: 0, LIVE_CONVERSATION: 0 },
        videoBytes: 4 * KiB,
      })
    : generateScenario({
        seed: c.seed,
        sessions: c.sessions,
        reels: 2,
        videoBytes: [4 * KiB, 8 * KiB],
        clipBytes: [2 * KiB, 4 * KiB],
        reelBytes: [4 * KiB, 8 * KiB],
      });
  const generateMs = Date.now() - t0;
  const scenario: ScenarioInput = { ...generated, rateLimit: RATE_LIMIT, pageCap: 500, generation: { generatingMs: 50 } };
  const sim = await startSimulator({ scenario });
  try {
    const test = sim.scenario.tests[0];
    const destDir = path.join(args.scratch, `scale-${c.seed}`);
    fs.mkdirSync(destDir, { recursive: true });
    const rss = sampleRss(500);
    const run = await args
      .ingest(sim, { testId: test.testId, dest: `file://${destDir}`, options: { maxSessionsInFlight: MAX_SESSIONS_IN_FLIGHT } }, WORKER_ENV)
      .finally(() => rss.stop());
    const { baseline, peak } = rss.stop();
    const seconds = (run.endedAt - run.startedAt) / 1000;
    const manifest = checkManifest(destDir, test);
    const calls = sim.stats().calls;
    await new Promise((r) => setTimeout(r, 2000)); // visibility is eventually consistent
    const history = await histories(client, test, run.summary.workflowId ?? '', fullUpTo);
    // Free the disk for the next (bigger) run.
    fs.rmSync(destDir, { recursive: true, force: true });
    return {
      c,
      generateMs,
      seconds,
      summary: run.summary,
      manifest,
      requests: calls.length,
      throttled: calls.filter((call) => call.status === 429).length,
      history,
      peakRssGrowth: Math.max(0, peak - baseline),
    };
  } finally {
    await sim.close();
  }
}

function printRow(r: ScaleResult): void {
  const m = r.manifest;
  const complete = m.missing === 0 && m.extra === 0 && m.wrongStatus === 0 && m.assets === m.expected;
  const cells = [
    r.c.label.padEnd(15),
    fmt(r.c.sessions).padStart(8),
    r.seconds.toFixed(1).padStart(8),
    ((r.seconds * 1000) / r.c.sessions).toFixed(1).padStart(7),
    String(r.summary.runs ?? '?').padStart(5),
    String(r.summary.failed).padStart(7),
    `${fmt(m.assets)}/${fmt(m.expected)} ${mark(complete)}`.padStart(17),
    `${fmt(r.requests)}/${r.throttled}`.padStart(11),
    `${fmt(r.history.maxEvents)}`.padStart(10),
    `${fmt(r.history.maxEventBytes)}`.padStart(11),
    `${fmt(r.history.runs)}${r.history.sampled ? '*' : ''}`.padStart(8),
    `+${(r.peakRssGrowth / MiB).toFixed(0)}`.padStart(6),
  ];
  console.log(`    ${cells.join(' ')}`);
}

export async function runScaleBench(args: ScaleBenchArgs): Promise<boolean> {
  const factor = Number(process.env.BENCH_SCALE_FACTOR ?? '1');
  if (!(factor > 0)) throw new Error('BENCH_SCALE_FACTOR must be a positive number');
  const fullUpTo = Number(process.env.BENCH_SCALE_FULL_HISTORIES ?? '20000');
  const n = (sessions: number) => Math.max(10, Math.round(sessions * factor));
  const cases: ScaleCase[] = [
    { label: `survey ${fmt(n(1000))}`, sessions: n(1000), seed: 7101, survey: true },
    { label: `survey ${fmt(n(10_000))}`, sessions: n(10_000), seed: 7102, survey: true },
    { label: `mixed ${fmt(n(3000))}`, sessions: n(3000), seed: 7103, survey: false },
  ];
  const started = Date.now();
  console.log(
    `\n(scale) ${factor === 1 ? '' : `BENCH_SCALE_FACTOR=${factor}: `}API budget ${fmt(RATE_LIMIT.limit)}/min, ` +
      `media a few KiB, generation 50 ms, pageCap 500,` +
      ` maxSessionsInFlight ${MAX_SESSIONS_IN_FLIGHT}, UT_MAX_CONCURRENT_DOWNLOADS ${WORKER_ENV.UT_MAX_CONCURRENT_DOWNLOADS}, dest file:// (scratch)`,
  );
  const connection = await Connection.connect({ address: args.temporalAddress });
  const client = new Client({ connection, namespace: args.namespace });
  const results: ScaleResult[] = [];
  try {
    console.log(
      '    ' +
        [
          'run'.padEnd(15),
          'sessions'.padStart(8),
          'wall s'.padStart(8),
          's/1000'.padStart(7),
          'runs'.padStart(5),
          'failed'.padStart(7),
          'manifest/expected'.padStart(17),
          'requests/429'.padStart(11),
          'max events'.padStart(10),
          'max event B'.padStart(11),
          'measured'.padStart(8),
          'RSS MiB'.padStart(6),
        ].join(' '),
    );
    for (const c of cases) {
      const r = await runCase(args, client, c, fullUpTo);
      results.push(r);
      printRow(r);
    }
  } finally {
    await connection.close();
  }

  const [small, large] = results;
  const perK = (r: ScaleResult) => (r.seconds * 1000) / r.c.sessions;
  const scaleRatio = Math.max(perK(small), perK(large)) / Math.min(perK(small), perK(large));
  const largestHistory = results.reduce((a, b) => (b.history.maxEvents > a.history.maxEvents ? b : a));
  const largestEvent = results.reduce((a, b) => (b.history.maxEventBytes > a.history.maxEventBytes ? b : a));
  const sampledAny = results.filter((r) => r.history.sampled);
  const failed = results.filter((r) => r.summary.failed > 0);
  const incomplete = results.filter((r) => r.manifest.missing + r.manifest.extra + r.manifest.wrongStatus > 0 || r.manifest.assets !== r.manifest.expected);
  const payloadOk = largestEvent.history.maxEventBytes < PAYLOAD_LIMIT;
  const historyOk = largestHistory.history.maxEvents < HISTORY_EVENTS_LIMIT;

  console.log(
    `    s/1000 = wall seconds per 1,000 sessions; ` +
      `runs = runs of the parent (continue-as-new); max event B = largest history event, encoded (bounds every payload)`,
  );
  if (sampledAny.length) {
    console.log(
      `    measured*: ${sampledAny.map((r) => r.c.label).join(', ')}: histories of the parent's runs and every non-session workflow in full, ` +
        `plus an even sample of ${SAMPLE_SESSIONS} session workflows` +
        ` (all ${fmt(Math.max(...sampledAny.map((r) => r.c.sessions)))} would take long; BENCH_SCALE_FULL_HISTORIES raises the cut-off)`,
    );
  }
  for (const r of results) {
    const extra = [`scenario generated in ${(r.generateMs / 1000).toFixed(1)} s`, `histories measured in ${r.history.measureSeconds.toFixed(1)} s`];
    if (r.manifest.example)
      extra.push(`manifest: ${r.manifest.missing} missing, ${r.manifest.extra} extra, ${r.manifest.wrongStatus} wrong status, e.g. ${r.manifest.example}`);
    if (r.summary.failed) extra.push(`failed e.g. ${r.summary.failures[0]?.kind} ${r.summary.failures[0]?.id}: ${r.summary.failures[0]?.reason}`);
    console.log(`    ${r.c.label.padEnd(15)} ${extra.join('; ')}`);
  }
  console.log(
    `    failed assets                                    ` +
      `${failed.length === 0 ? 0 : failed.map((r) => `${r.c.label}: ${r.summary.failed}`).join(', ')}   ${mark(failed.length === 0)}`,
  );
  console.log(
    `    manifests complete                               ${results.length - incomplete.length}/${results.length}   ${mark(incomplete.length === 0)}`,
  );
  console.log(
    `    s/1000 at ${fmt(large.c.sessions)} / s/1000 at ${fmt(small.c.sessions)}`.padEnd(53) +
      `${(perK(large) / perK(small)).toFixed(2)}   ${mark(scaleRatio <= RATIO_LIMIT)} ` +
      `(within ${RATIO_LIMIT}x: ${perK(small).toFixed(1)} s vs ${perK(large).toFixed(1)} s)`,
  );
  console.log(
    `    largest history                                  ` +
      `${fmt(largestHistory.history.maxEvents)} events   ${mark(historyOk)} ` +
      `(< ${fmt(HISTORY_EVENTS_LIMIT)}; ${largestHistory.history.workflowOfMaxEvents ?? '?'}, ${largestHistory.c.label})`,
  );
  console.log(
    `    largest payload (largest history event)          ` +
      `${fmt(largestEvent.history.maxEventBytes)} B   ${mark(payloadOk)} ` +
      `(< 256 KiB; ${largestEvent.history.eventTypeOfMaxBytes ?? '?'}, ${largestEvent.c.label})`,
  );
  const longGenerationOk = await runLongGenerationBench(args, factor);
  console.log(`    scale scenario took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return failed.length === 0 && incomplete.length === 0 && payloadOk && historyOk && longGenerationOk;
}

/** Row 7 of `npm run bench`: the 1,000-session survey of the scale runs (the 10,000 ones: `--scale`). */
export async function benchScaleRows(args: ScaleBenchArgs): Promise<BenchRow[]> {
  console.log('\n(7) scale: a survey of 1,000 sessions (10,000 and mixed 3,000: npm run bench -- --scale)');
  const connection = await Connection.connect({ address: args.temporalAddress });
  try {
    const r = await runCase(
      args,
      new Client({ connection, namespace: args.namespace }),
      { label: 'survey 1,000', sessions: 1000, seed: 7101, survey: true },
      20_000,
    );
    printRow(r);
    return [
      {
        id: 'scale.secondsPer1000',
        label: '7. seconds per 1,000 survey sessions',
        value: r.seconds,
        detail: `${r.requests} requests, ${r.summary.runs ?? '?'} parent runs, budget unbounded`,
      },
      {
        id: 'scale.maxHistoryEvents',
        label: '7. largest history (events)',
        value: r.history.maxEvents,
        target: { op: '<=', value: HISTORY_EVENTS_LIMIT },
        detail: r.history.workflowOfMaxEvents ?? '',
      },
      {
        id: 'scale.maxEventBytes',
        label: '7. largest payload (bytes)',
        value: r.history.maxEventBytes,
        target: { op: '<=', value: PAYLOAD_LIMIT },
        detail: r.history.eventTypeOfMaxBytes ?? '',
      },
    ];
  } finally {
    await connection.close();
  }
}
