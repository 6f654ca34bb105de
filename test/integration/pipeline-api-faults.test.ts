import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateScenario } from '../../simulator';
import { expectedAssets, minimumRequests } from '../support/expectations';
import { createPipelineFixture, type PipelineFixture } from '../support/pipeline-fixture';

/** The API misbehaving for a while, on the real dev server: the run rides it out and spends little. */
const scenario = generateScenario({ seed: 8301, sessions: 6, reels: 2, clipsPerSession: [0, 2], productMix: { THINK_OUT_LOUD: 2, SURVEY: 1 } });

async function ingestAll(faults: Record<string, unknown>) {
  const fx = await createPipelineFixture({ ...scenario, rateLimit: { limit: 600, windowMs: 60_000 }, generation: { generatingMs: 20 }, faults });
  fixtures.push(fx);
  await fx.startWorkers();
  const testId = fx.sim.scenario.tests[0].testId;
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-api-faults-'));
  const summary = await fx.ingest({ testId, dest });
  for (const asset of expectedAssets(fx.sim, testId).filter((a) => a.digest)) {
    const body = fs.readFileSync(path.join(dest, ...asset.relativePath.split('/')));
    expect({ path: asset.relativePath, md5: crypto.createHash('md5').update(body).digest('base64') }).toEqual({
      path: asset.relativePath,
      md5: asset.digest!.md5,
    });
  }
  fs.rmSync(dest, { recursive: true, force: true });
  return { fx, testId, summary, calls: fx.sim.stats().calls };
}

const fixtures: PipelineFixture[] = [];
afterAll(async () => {
  for (const fx of fixtures) await fx.close();
});

describe('the API misbehaving for a while', () => {
  test('a storm of 15 consecutive 503s: the run completes, every asset exact, one retry per refused call', async () => {
    const { fx, testId, summary, calls } = await ingestAll({ serverErrorStorm: { atCall: 6, count: 15 } });
    expect(summary).toMatchObject({ failed: 0 });
    expect(calls.filter((c) => c.faultInjected === 'serverError')).toHaveLength(15);
    expect(calls.length).toBeLessThanOrEqual(minimumRequests(fx.sim, testId, 1) + 15);
  }, 120_000);

  test('a 429 with a 5 s reset: nothing is sent until it passes, whichever activity asks', async () => {
    const { summary, calls } = await ingestAll({ rateLimitLockout: { atCall: 6, resetSeconds: 5 } });
    expect(summary).toMatchObject({ failed: 0 });
    const refused = calls.filter((c) => c.faultInjected === 'rateLimitLockout');
    expect(refused.length).toBeGreaterThan(0);
    // Only requests already on the wire when the first 429 came back meet the lockout.
    expect(refused.length).toBeLessThanOrEqual(4);
    const first = refused[0]!.at;
    const during = calls.filter((c) => c.at > first + 250 && c.at < first + 4_500);
    expect(during).toEqual([]);
  }, 120_000);

  test('every request is counted, retries included: the summary says what the API received', async () => {
    const withVideo = scenario.tests[0].sessions.filter((s) => s.productType !== 'SURVEY');
    const clip = withVideo.flatMap((s) => s.clips)[0]!;
    const { summary, calls } = await ingestAll({
      serverErrorEveryNth: 7,
      rateLimitBurst: { atCall: 5, count: 2, resetSeconds: 1 },
      generationErrorOnce: [clip.uuid!, scenario.tests[0].reels[0]!.uuid!],
      linkExpiredOnFirstUse: [`video:${withVideo[0]!.sessionId}`, `reel:${scenario.tests[0].reels[1]!.uuid}`],
      cutBodyOnce: [`video:${withVideo[1]!.sessionId}`],
    });
    expect(summary).toMatchObject({ failed: 0 });
    expect(calls.filter((c) => c.faultInjected).length).toBeGreaterThan(3);
    expect(summary.apiRequests).toBe(calls.length);
  }, 120_000);
});
