import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { generateScenario } from '../../simulator';
import { createPipelineFixture, type PipelineFixture } from '../support/pipeline-fixture';

/**
 * A full and a read-only file system, for real: a small tmpfs mounted for the test (needs root, as
 * on the CI machines; elsewhere the suite says it was skipped and why).
 */
function tryMount(dir: string, sizeKiB: number): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-mount-probe-'));
const canMount = tryMount(probe, 64);
if (canMount) execFileSync('umount', [probe]);
if (!canMount) process.stderr.write('[storage-faults] skipped: mounting a tmpfs needs root\n');

const VIDEO_BYTES = 200_000;

(canMount ? describe : describe.skip)('a destination that is full or read-only', () => {
  let fx: PipelineFixture;
  let testId: string;
  let mountPoint: string;
  beforeAll(async () => {
    const scenario = generateScenario({
      seed: 9801,
      sessions: 4,
      reels: 0,
      clipsPerSession: [0, 0],
      productMix: { THINK_OUT_LOUD: 1, NON_THINK_OUT_LOUD: 0, LIVE_CONVERSATION: 0, SURVEY: 0 },
      videoBytes: VIDEO_BYTES,
    });
    // One transfer at a time, so the disk fills at a known point.
    fx = await createPipelineFixture(
      { ...scenario, rateLimit: { limit: 6000, windowMs: 60_000 }, generation: { generatingMs: 20 } },
      { UT_MAX_CONCURRENT_DOWNLOADS: '1' },
    );
    testId = fx.sim.scenario.tests[0].testId;
    await fx.startWorkers();
    mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-small-disk-'));
    expect(tryMount(mountPoint, 512)).toBe(true);
  });
  afterAll(async () => {
    try {
      execFileSync('umount', [mountPoint]);
    } finally {
      await fx?.close();
    }
  });

  test('a full disk fails the videos that do not fit at once, with the reason; nothing partial stays; the rest is stored', async () => {
    const summary = await fx.ingest({ testId, dest: mountPoint, only: ['videos'] });
    expect(summary.counts.video).toEqual({ stored: 2, skipped: 0, failed: 2 });
    // The failure record of a video can itself meet the full disk (the next video is filling it), and
    // then the session reports the same cause.
    const fullDisk = /DestinationFull: .*no space left on device.*free space and run again/;
    expect(summary.failures.map((f) => f.reason)).toEqual([expect.stringMatching(fullDisk), expect.stringMatching(fullDisk)]);
    // Not retried: one download per video.
    expect(fx.sim.stats().media.filter((m) => m.key.startsWith('video:'))).toHaveLength(4);
    expect(fs.readdirSync(path.join(mountPoint, '.ut-media-tmp'))).toEqual([]);
    const manifest = JSON.parse(fs.readFileSync(path.join(mountPoint, `test_id=${testId}`, 'manifest.json'), 'utf8'));
    for (const asset of manifest.assets as Array<{ status: string; storagePath: string; bytes: number | null }>) {
      const file = new URL(asset.storagePath).pathname;
      if (asset.status === 'stored') expect(fs.statSync(file).size).toBe(asset.bytes);
      else expect(fs.existsSync(file)).toBe(false);
    }
  });

  test('a read-only destination: the run fails at its first write, naming it, before any media is fetched', async () => {
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    try {
      fx.sim.resetStats();
      const error = await fx.ingest({ testId, dest: mountPoint, only: ['videos', 'transcripts'] }).catch((e) => e);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      expect(String(error.cause?.cause?.message ?? error.cause?.message)).toMatch(/read-only/);
      // The first write is the record of the session page just read (what withdrawals compare
      // against): it fails there, so no media is downloaded for a destination that cannot take it.
      expect(fx.sim.stats().media).toHaveLength(0);
      expect(new Set(fx.sim.stats().calls.map((c) => c.operation))).toEqual(new Set(['listSessions']));
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mountPoint]);
    }
  });
});
