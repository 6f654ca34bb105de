import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateScenario } from '../../simulator';
import { expectedAssets } from '../support/expectations';
import { createPipelineFixture, type PipelineFixture } from '../support/pipeline-fixture';

/**
 * What a worker killed at the two instants no SIGKILL can be timed for leaves in a folder, and the
 * next run repairing it:
 *  (c) between an object and its metadata: the local destination publishes the file, then writes
 *      its sidecar; a crash in between leaves the file without a sidecar;
 *  (d) during the manifest write: manifest.json is replaced by a rename, so a crash leaves the old
 *      manifest and a temp file.
 * On gs:// neither state exists: object and metadata are one upload, and so is the manifest.
 */
const scenario = generateScenario({ seed: 8501, sessions: 4, reels: 1, clipsPerSession: [1, 2], productMix: { THINK_OUT_LOUD: 1 } });

describe('crash states in a folder', () => {
  let fx: PipelineFixture;
  afterAll(() => fx?.close());

  test('a file without its sidecar is fetched again whole; an interrupted manifest write is redone; no temp file stays', async () => {
    fx = await createPipelineFixture({ ...scenario, rateLimit: { limit: 600, windowMs: 60_000 }, generation: { generatingMs: 20 } });
    await fx.startWorkers();
    const testId = fx.sim.scenario.tests[0].testId;
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-crash-states-'));
    await fx.ingest({ testId, dest });
    const expected = expectedAssets(fx.sim, testId);
    const video = expected.find((a) => a.kind === 'video' && a.digest)!;
    const videoFile = path.join(dest, ...video.relativePath.split('/'));
    const manifestFile = path.join(dest, `test_id=${testId}`, 'manifest.json');
    const fullManifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));

    // (c) the sidecar never written, and the file cut short by a crash before the fsync reached it.
    fs.rmSync(`${videoFile}.json`);
    fs.truncateSync(videoFile, 1000);
    // (d) the old manifest (one entry short) in place, the new one half-written in the temp folder.
    fs.writeFileSync(manifestFile, JSON.stringify({ ...fullManifest, assets: fullManifest.assets.slice(1) }));
    const orphan = path.join(dest, '.ut-media-tmp', 'manifest.json.4242.1.dead.part');
    fs.writeFileSync(orphan, '{"assets": [');
    const hourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(orphan, hourAgo, hourAgo);

    fx.sim.resetStats();
    const summary = await fx.ingest({ testId, dest });
    expect(summary).toMatchObject({ failed: 0 });
    expect(
      fx.sim
        .stats()
        .media.filter((m) => m.status === 200)
        .map((m) => m.key),
    ).toEqual([`video:${video.relativePath.match(/session_id=([^/]+)/)![1]}`]);
    const body = fs.readFileSync(videoFile);
    expect(crypto.createHash('md5').update(body).digest('base64')).toBe(video.digest!.md5);
    expect(JSON.parse(fs.readFileSync(`${videoFile}.json`, 'utf8'))).toMatchObject({ md5: video.digest!.md5, bytes: video.digest!.bytes });
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    expect(manifest.assets).toHaveLength(fullManifest.assets.length);
    expect(fs.readdirSync(path.join(dest, '.ut-media-tmp'))).toEqual([]);
    fs.rmSync(dest, { recursive: true, force: true });
  }, 120_000);
});
