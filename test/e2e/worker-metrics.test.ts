import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFailure, startOnFreePort, waitForHttp } from '../../infra/net';
import { generateScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { METRIC_NAMES } from '../../workers/metrics';
import { ASSETS_METRIC } from '../../workflows/asset-metrics';
import { expectedAssets } from '../support/expectations';
import { testEnv } from '../support/pipeline-fixture';
import { ProcessGroup } from '../support/processes';

/**
 * `ut-media worker` with UT_METRICS_PORT: its /metrics carries the SDK's metrics and ours, and ours
 * move while a run is under way (a throttled video keeps it going) and end equal to what the
 * simulator saw and the destination holds.
 */
const MiB = 1 << 20;
const scenario = generateScenario({
  seed: 4411,
  sessions: 4,
  reels: 2,
  clipsPerSession: [1, 2],
  productMix: { THINK_OUT_LOUD: 3, SURVEY: 1 },
  videoBytes: [50_000, 100_000],
  clipBytes: [20_000, 40_000],
  reelBytes: [50_000, 100_000],
});
const withVideo = scenario.tests[0].sessions.filter((s) => s.productType !== 'SURVEY');
const [slowSession, expiredSession] = [withVideo[0]!, withVideo[1]!];
slowSession.videoBytes = 16 * MiB;
const slowKey = `video:${slowSession.sessionId}`;
const RATE_LIMITED_ANSWERS = 2;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, enough of it for counters and histograms. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}

function byLabels(samples: Sample[], name: string, keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples.filter((x) => x.name === name)) {
    const key = keys.map((k) => s.labels[k]).join(' ');
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

async function scrape(url: string): Promise<{ text: string; samples: Sample[] }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, samples: parseMetrics(text) };
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a worker with UT_METRICS_PORT', () => {
  let sim: RunningSimulator;
  let dest: string;
  const cli = new ProcessGroup();
  afterAll(async () => {
    await cli.killAll();
    await sim?.close();
    if (dest) fs.rmSync(dest, { recursive: true, force: true });
  });

  test('/metrics shows the SDK metrics, and the request, byte and asset counters moving during a run', async () => {
    sim = await startSimulator({
      scenario: {
        ...scenario,
        rateLimit: { limit: 600, windowMs: 60_000 },
        generation: { generatingMs: 300 },
        faults: {
          rateLimitBurst: { atCall: 4, count: RATE_LIMITED_ANSWERS, resetSeconds: 1 },
          linkExpiredOnFirstUse: [`video:${expiredSession.sessionId}`],
          slowMedia: { bytesPerSecond: 2 * MiB, keys: [slowKey] },
        },
      },
    });
    const testId = sim.scenario.tests[0].testId;
    dest = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-metrics-'));
    // A worker whose metrics port was taken in the meantime exits: started again on another.
    const { env, url, worker } = await startOnFreePort(async (port) => {
      const portEnv = testEnv(sim, { UT_METRICS_PORT: String(port) });
      const metricsUrl = `http://127.0.0.1:${port}/metrics`;
      const worker = cli.spawn(['worker'], portEnv);
      try {
        await waitForHttp(
          metricsUrl,
          60_000,
          () => worker.child.exitCode !== null,
          (res) => res.ok,
        );
      } catch (err) {
        worker.child.kill('SIGKILL');
        throw startFailure('ut-media worker', err, worker.output().stderr);
      }
      return { env: portEnv, url: metricsUrl, worker };
    });
    const idle = await scrape(url);
    expect(total(idle.samples, METRIC_NAMES.apiRequests)).toBe(0);

    const ingest = cli.spawn(['ingest', '--test', testId, '--dest', dest, '--json', '--no-progress'], env);
    const inFlight = () => sim.stats().mediaInProgress.some((m) => m.key === slowKey);

    // While the throttled video streams: requests answered, bytes moved, assets decided.
    const during = await until(
      async () => {
        const now = await scrape(url);
        const moving =
          total(now.samples, METRIC_NAMES.apiRequests) > 0 && total(now.samples, METRIC_NAMES.bytesMoved) > 0 && total(now.samples, ASSETS_METRIC) > 0;
        return moving && inFlight() ? now : undefined;
      },
      60_000,
      'requests, bytes and assets counted while the slow video streams',
    );
    const sentAt = sim.stats().mediaInProgress.find((m) => m.key === slowKey)?.bytesSent ?? 0;
    // One more MiB, or the end of the video if less was left.
    await until(
      async () => (sim.stats().mediaInProgress.find((m) => m.key === slowKey)?.bytesSent ?? 0) >= sentAt + MiB || !inFlight() || undefined,
      30_000,
      'one more MiB of the slow video',
    );
    const later = await scrape(url);
    expect(total(later.samples, METRIC_NAMES.bytesMoved, { kind: 'video' })).toBeGreaterThan(total(during.samples, METRIC_NAMES.bytesMoved, { kind: 'video' }));

    const code = await ingest.exited;
    const { stdout, stderr } = ingest.output();
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const summary = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ ok: true, testId, failures: [] });

    // Workflow metrics reach the exporter a moment after their activation: wait until every asset is counted.
    const decided = Object.values(summary.counts as Record<string, Record<string, number>>)
      .flatMap((byState) => Object.values(byState))
      .reduce((a, b) => a + b, 0);
    const after = await until(
      async () => {
        const now = await scrape(url);
        return total(now.samples, ASSETS_METRIC) >= decided ? now : undefined;
      },
      30_000,
      `${decided} assets counted`,
    );
    const { samples } = after;

    // The SDK's own metrics, from this worker's task queues.
    expect(samples.some((s) => s.name.startsWith('temporal_') && s.labels.task_queue === env.UT_TASK_QUEUE)).toBe(true);

    // Requests by operation and status: exactly what the simulator answered.
    const answered: Record<string, number> = {};
    for (const call of sim.stats().calls) answered[`${call.operation} ${call.status}`] = (answered[`${call.operation} ${call.status}`] ?? 0) + 1;
    expect(byLabels(samples, METRIC_NAMES.apiRequests, ['operation', 'status'])).toEqual(answered);
    expect(total(samples, METRIC_NAMES.apiRateLimited)).toBe(RATE_LIMITED_ANSWERS);
    expect(total(samples, `${METRIC_NAMES.budgetWait}_count`, { cause: 'rate_limit_reset' })).toBeGreaterThanOrEqual(RATE_LIMITED_ANSWERS);
    expect(total(samples, `${METRIC_NAMES.budgetWait}_count`, { cause: 'queue' })).toBeGreaterThanOrEqual(sim.stats().calls.length);
    expect(byLabels(samples, METRIC_NAMES.linksRerequested, ['kind'])).toEqual({ video: 1 });

    // Bytes by kind: exactly the media the destination now holds (no transfer was repeated).
    const held: Record<string, number> = {};
    for (const asset of expectedAssets(sim, testId).filter((a) => a.status === 'stored')) {
      held[asset.kind] = (held[asset.kind] ?? 0) + fs.statSync(path.join(dest, ...asset.relativePath.split('/'))).size;
    }
    expect(byLabels(samples, METRIC_NAMES.bytesMoved, ['kind'])).toEqual(held);

    // Assets by kind and state: the run's summary.
    const summarized: Record<string, number> = {};
    for (const [kind, byState] of Object.entries(summary.counts as Record<string, Record<string, number>>)) {
      for (const [state, n] of Object.entries(byState)) if (n > 0) summarized[`${kind} ${state}`] = n;
    }
    expect(byLabels(samples, ASSETS_METRIC, ['kind', 'state'])).toEqual(summarized);

    worker.child.kill('SIGTERM');
    await worker.exited;
  }, 120_000);
});
