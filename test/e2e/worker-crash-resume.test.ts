import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { generateScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { expectedAssets } from '../support/expectations';
import { testEnv } from '../support/pipeline-fixture';
import { ProcessGroup, waitFor } from '../support/processes';

/**
 * SIGKILL of a worker process while a 400 MB video streams to a folder and while the test's reels
 * are still generating: the next attempt takes over the bytes the dead one wrote (Range from the
 * temp file's length, with a fresh link), the reels' polling goes on from the workflow's state, and
 * once the run has ended nothing is left in the temp folder.
 */
const MB = 1_000_000;
const VIDEO_BYTES = 400 * MB;
const GENERATING_MS = 25_000;
const scenario = generateScenario({
  seed: 8801,
  sessions: 3,
  reels: 2,
  clipsPerSession: [0, 1],
  productMix: { THINK_OUT_LOUD: 3 },
  videoBytes: [50_000, 100_000],
  clipBytes: [20_000, 40_000],
  reelBytes: [50_000, 100_000],
});
const bigSession = scenario.tests[0].sessions[0]!;
bigSession.videoBytes = VIDEO_BYTES;
const videoKey = `video:${bigSession.sessionId}`;

async function md5OfFile(file: string): Promise<string> {
  const hash = crypto.createHash('md5');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('base64');
}

describe('a worker killed mid-transfer and mid-generation', () => {
  let sim: RunningSimulator;
  let dest: string;
  const cli = new ProcessGroup();
  afterAll(async () => {
    await cli.killAll();
    await sim?.close();
    if (dest) fs.rmSync(dest, { recursive: true, force: true });
  });

  test('the retry fetches only what is missing, every asset is whole, no temp file remains', async () => {
    sim = await startSimulator({
      scenario: {
        ...scenario,
        rateLimit: { limit: 600, windowMs: 60_000 },
        generation: { generatingMs: GENERATING_MS },
        faults: { slowMedia: { bytesPerSecond: 40 * MB, keys: [videoKey] } },
      },
    });
    const testId = sim.scenario.tests[0].testId;
    dest = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-crash-'));
    const env = testEnv(sim, { UT_HEARTBEAT_TIMEOUT_MS: '3000' });

    const first = cli.spawn(['worker'], env);
    const ingest = cli.spawn(['ingest', '--test', testId, '--dest', dest, '--json', '--no-progress'], env);

    await waitFor(
      () => sim.stats().mediaInProgress.find((m) => m.key === videoKey && m.bytesSent >= 0.3 * VIDEO_BYTES),
      180_000,
      'the video to be 30 % through',
    );
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await first.exited;
    const firstReelCheck = sim.stats().calls.find((c) => c.operation === 'reelDetail');
    expect(firstReelCheck).toBeDefined();
    // The reels were still generating when the worker died.
    expect(killedAt - firstReelCheck!.at).toBeLessThan(GENERATING_MS);
    const tempDir = path.join(dest, '.ut-media-tmp');
    const keptBytes = fs
      .readdirSync(tempDir)
      .map((name) => fs.statSync(path.join(tempDir, name)).size)
      .reduce((a, b) => Math.max(a, b), 0);
    expect(keptBytes).toBeGreaterThan(0.25 * VIDEO_BYTES);

    const second = cli.spawn(['worker'], env);
    const code = await ingest.exited;
    const { stdout, stderr } = ingest.output();
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toMatchObject({ ok: true, failures: [] });

    const videoTransfers = sim.stats().media.filter((m) => m.key === videoKey && m.method === 'GET');
    const fetchedAgain = videoTransfers.filter((m) => m.at >= killedAt).reduce((n, m) => n + m.bytesSent, 0);
    process.stderr.write(
      `[worker-crash-resume] killed with ${(keptBytes / VIDEO_BYTES).toFixed(3)} of the video on disk; ` +
        `fetched again ${(fetchedAgain / VIDEO_BYTES).toFixed(3)}\n`,
    );
    expect(fetchedAgain / VIDEO_BYTES).toBeLessThan(0.8);
    expect(videoTransfers.some((m) => m.at >= killedAt && m.status === 206 && (m.rangeStart ?? 0) >= 0.25 * VIDEO_BYTES)).toBe(true);

    for (const asset of expectedAssets(sim, testId).filter((a) => a.digest)) {
      const file = path.join(dest, ...asset.relativePath.split('/'));
      expect({ path: asset.relativePath, md5: await md5OfFile(file), size: fs.statSync(file).size }).toEqual({
        path: asset.relativePath,
        md5: asset.digest!.md5,
        size: asset.digest!.bytes,
      });
    }
    expect(fs.existsSync(tempDir) ? fs.readdirSync(tempDir) : []).toEqual([]);

    second.child.kill('SIGTERM');
    await second.exited;
  }, 300_000);
});
