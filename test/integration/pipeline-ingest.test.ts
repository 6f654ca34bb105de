import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { manifestLineSchema } from '../../activities/manifest-lines';
import { createGcsClient, openDestination, parseDestination } from '../../storage';
import { readAll } from '../support/generated-source';
import { generateScenario } from '../../simulator';
import { createPipelineFixture, type PipelineFixture } from '../support/pipeline-fixture';
import { expectedAssets, maxCallsInWindow, md5OfFile, minimumRequests } from '../support/expectations';
import { bucketKeys, newTestBucket, testS3Client } from '../support/s3';

/**
 * The product end to end on the real parts: 20+ sessions of the three product types, reels and
 * clips, ingested by in-process workers on the shared dev server into a folder, into
 * fake-gcs-server, into moto's S3 and into Azurite; then the incremental rerun.
 */
const scenario = {
  ...generateScenario({
    seed: 4101,
    sessions: 22,
    reels: 3,
    clipsPerSession: [0, 3],
    productMix: { THINK_OUT_LOUD: 3, NON_THINK_OUT_LOUD: 2, LIVE_CONVERSATION: 1, SURVEY: 2 },
    videoBytes: [200_000, 900_000],
    clipBytes: [20_000, 90_000],
    reelBytes: [100_000, 300_000],
  }),
  rateLimit: { limit: 600, windowMs: 60_000 },
  pageCap: 10,
  generation: { generatingMs: 40 },
};

describe('ingestTestResult on the real dev server, emulator and simulator', () => {
  let fx: PipelineFixture;
  let testId: string;

  beforeAll(async () => {
    fx = await createPipelineFixture(scenario);
    testId = fx.sim.scenario.tests[0].testId;
    await fx.startWorkers();
  });
  afterAll(() => fx.close());

  test('into a local folder: every asset byte-exact with metadata, manifest complete; a rerun downloads nothing', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-ingest-'));
    const summary = await fx.ingest({ testId, dest: `file://${root}` });
    expect(summary.failures).toEqual([]);

    const expected = expectedAssets(fx.sim, testId);
    const sessionsByType = new Set(fx.sim.scenario.tests[0].sessions.map((s) => s.productType));
    expect(sessionsByType).toEqual(new Set(['THINK_OUT_LOUD', 'NON_THINK_OUT_LOUD', 'LIVE_CONVERSATION', 'SURVEY']));
    for (const asset of expected) {
      const file = path.join(root, asset.relativePath);
      if (asset.status === 'skipped') {
        expect(fs.existsSync(file)).toBe(false);
        continue;
      }
      expect(fs.existsSync(file)).toBe(true);
      if (asset.digest) expect(md5OfFile(file)).toBe(asset.digest.md5);
      const sidecar = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'));
      expect(sidecar.metadata).toMatchObject({ kind: asset.kind, testId });
    }
    expect(fs.readdirSync(path.join(root, '.ut-media-tmp')).length).toBe(0);

    const manifest = JSON.parse(fs.readFileSync(path.join(root, `test_id=${testId}`, 'manifest.json'), 'utf8'));
    expect(manifest.testId).toBe(testId);
    // The assets, and the test's page, listed like any object (the same page on every store).
    expect(manifest.assets).toHaveLength(expected.length + 1);
    expect(manifest.assets.filter((a: { kind: string }) => a.kind === 'page')).toEqual([
      expect.objectContaining({ status: 'stored', bytes: expect.any(Number) }),
    ]);
    for (const asset of expected) {
      const entry = manifest.assets.find((a: { storagePath: string }) => a.storagePath === `file://${path.join(root, asset.relativePath)}`);
      expect(entry).toMatchObject({ kind: asset.kind, status: asset.status });
      if (asset.digest) expect(entry).toMatchObject({ md5: asset.digest.md5, crc32c: asset.digest.crc32c, bytes: asset.digest.bytes });
      if (asset.status === 'skipped') expect(entry.reason).toMatch(/404/);
    }
    // manifest.jsonl: one line per asset, each parsing against the documented table schema.
    const lines = fs
      .readFileSync(path.join(root, `test_id=${testId}`, 'manifest.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const rows = lines.map((line) => manifestLineSchema.parse(JSON.parse(line)));
    expect(rows.map((r) => r.storage_path).sort()).toEqual(manifest.assets.map((a: { storagePath: string }) => a.storagePath).sort());
    expect(
      rows
        .filter((r) => r.kind === 'clip' && r.status === 'stored')
        .every((r) => r.session_id && r.clip_id && r.downloaded_at && JSON.parse(r.source).name !== undefined),
    ).toBe(true);

    // The budget: the minimum (pages + reel list + 3/session + 2/reel and clip) within 10 %.
    const calls = fx.sim.stats().calls;
    const pages = Math.ceil(fx.sim.scenario.tests[0].sessions.length / scenario.pageCap);
    expect(calls.filter((c) => c.operation === 'listSessions')).toHaveLength(pages);
    expect(calls.length).toBeLessThanOrEqual(Math.floor(1.1 * minimumRequests(fx.sim, testId, pages)));
    expect(calls.filter((c) => c.status === 429)).toHaveLength(0);
    expect(
      maxCallsInWindow(
        calls.map((c) => c.at),
        60_000,
      ),
    ).toBeLessThanOrEqual(600);

    // The rerun: nothing downloaded, no link asked for, exit-0 equivalent summary.
    fx.sim.resetStats();
    const again = await fx.ingest({ testId, dest: `file://${root}` });
    expect(again.failures).toEqual([]);
    expect(again.downloaded).toBe(0);
    const rerun = fx.sim.stats();
    expect(rerun.media).toHaveLength(0);
    expect(rerun.calls.filter((c) => ['reelDetail', 'clipDetail', 'videoDownloadUrl', 'transcript'].includes(c.operation))).toHaveLength(0);
  });

  test('into gs:// on fake-gcs-server: objects byte-exact with custom metadata and the reported crc32c', async () => {
    const storage = createGcsClient({ STORAGE_EMULATOR_HOST: fx.env.STORAGE_EMULATOR_HOST });
    const bucket = `ingest-${Date.now()}`;
    await storage.createBucket(bucket);
    const summary = await fx.ingest({ testId, dest: `gs://${bucket}/archive` });
    expect(summary.failures).toEqual([]);
    for (const asset of expectedAssets(fx.sim, testId)) {
      const file = storage.bucket(bucket).file(`archive/${asset.relativePath}`);
      const [exists] = await file.exists();
      expect(exists).toBe(asset.status === 'stored');
      if (!exists) continue;
      const [meta] = await file.getMetadata();
      expect(meta.metadata).toMatchObject({ kind: asset.kind, testId });
      if (asset.digest) {
        expect(meta.md5Hash).toBe(asset.digest.md5);
        expect(meta.crc32c).toBe(asset.digest.crc32c);
        expect(Number(meta.size)).toBe(asset.digest.bytes);
      }
    }
    const [manifestBytes] = await storage.bucket(bucket).file(`archive/test_id=${testId}/manifest.json`).download();
    const manifest = JSON.parse(manifestBytes.toString('utf8'));
    expect(
      manifest.assets
        .filter((a: { status: string }) => a.status === 'stored')
        .every((a: { storagePath: string }) => a.storagePath.startsWith(`gs://${bucket}/archive/`)),
    ).toBe(true);
  });

  test('into s3:// on moto: every object byte-exact with its metadata, manifest complete, nothing left aside; a rerun downloads nothing', async () => {
    const client = testS3Client();
    const bucket = await newTestBucket(client, 'ingest');
    const dest = `s3://${bucket}/archive`;
    fx.sim.resetStats();
    const summary = await fx.ingest({ testId, dest });
    expect(summary.failures).toEqual([]);

    const expected = expectedAssets(fx.sim, testId);
    const destination = openDestination(parseDestination(dest), { s3: client });
    for (const asset of expected) {
      const stored = await destination.stat(asset.relativePath);
      expect({ path: asset.relativePath, stored: stored !== undefined }).toEqual({ path: asset.relativePath, stored: asset.status === 'stored' });
      if (!stored) continue;
      expect(stored).toMatchObject({ metadataComplete: true, metadata: { kind: asset.kind, testId } });
      // As any S3 client sees it: x-amz-meta-kind, x-amz-meta-test-id, ...
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `archive/${asset.relativePath}` }));
      expect(head.Metadata).toMatchObject({ kind: asset.kind, 'test-id': testId });
      if (!asset.digest) continue;
      expect(stored).toMatchObject(asset.digest);
      expect(
        createHash('md5')
          .update(await readAll(destination.readObject(asset.relativePath)))
          .digest('base64'),
      ).toBe(asset.digest.md5);
    }

    const manifest = JSON.parse((await readAll(destination.readObject(`test_id=${testId}/manifest.json`))).toString('utf8'));
    // The assets, and the test's page, listed like any object (the same page on every store).
    expect(manifest.assets).toHaveLength(expected.length + 1);
    expect(manifest.assets.filter((a: { kind: string }) => a.kind === 'page')).toEqual([
      expect.objectContaining({ status: 'stored', bytes: expect.any(Number) }),
    ]);
    for (const asset of expected) {
      const entry = manifest.assets.find((a: { storagePath: string }) => a.storagePath === `s3://${bucket}/archive/${asset.relativePath}`);
      expect(entry).toMatchObject({ kind: asset.kind, status: asset.status });
      if (asset.digest) expect(entry).toMatchObject(asset.digest);
      if (asset.status === 'skipped') expect(entry.reason).toMatch(/404/);
    }
    expect((await bucketKeys(client, bucket)).filter((k) => k.includes('.ut-media-tmp/'))).toEqual([]);
    expect((await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([]);

    fx.sim.resetStats();
    const again = await fx.ingest({ testId, dest });
    expect(again.failures).toEqual([]);
    expect(again.downloaded).toBe(0);
    const rerun = fx.sim.stats();
    expect(rerun.media).toHaveLength(0);
    expect(rerun.calls.filter((c) => ['reelDetail', 'clipDetail', 'videoDownloadUrl', 'transcript'].includes(c.operation))).toHaveLength(0);
  });

  test('into az:// on Azurite: every object byte-exact with its metadata, manifest complete; a rerun downloads nothing', async () => {
    const service = BlobServiceClient.fromConnectionString(fx.env.AZURE_STORAGE_CONNECTION_STRING!);
    const container = `ingest-${Date.now()}`;
    await service.getContainerClient(container).create();
    const dest = `az://${container}/archive`;
    const summary = await fx.ingest({ testId, dest });
    expect(summary.failures).toEqual([]);

    const expected = expectedAssets(fx.sim, testId);
    const destination = openDestination(parseDestination(dest), { blobService: service });
    for (const asset of expected) {
      const object = await destination.stat(asset.relativePath);
      expect(object !== undefined).toBe(asset.status === 'stored');
      if (!object) continue;
      expect(object.metadata).toMatchObject({ kind: asset.kind, testId });
      if (asset.kind !== 'reel' && asset.kind !== 'qxscore') expect(object.metadata.sessionId).toBeDefined();
      if (!asset.digest) continue;
      expect(object).toMatchObject({ bytes: asset.digest.bytes, md5: asset.digest.md5, crc32c: asset.digest.crc32c });
      const bytes = await readAll(destination.readObject(asset.relativePath));
      expect(createHash('md5').update(bytes).digest('base64')).toBe(asset.digest.md5);
    }

    const manifest = JSON.parse((await readAll(destination.readObject(`test_id=${testId}/manifest.json`))).toString('utf8'));
    // The assets, and the test's page, listed like any object (the same page on every store).
    expect(manifest.assets).toHaveLength(expected.length + 1);
    expect(manifest.assets.filter((a: { kind: string }) => a.kind === 'page')).toEqual([
      expect.objectContaining({ status: 'stored', bytes: expect.any(Number) }),
    ]);
    for (const asset of expected) {
      const entry = manifest.assets.find((a: { storagePath: string }) => a.storagePath === `${dest}/${asset.relativePath}`);
      expect(entry).toMatchObject({ kind: asset.kind, status: asset.status });
      if (asset.digest) expect(entry).toMatchObject({ md5: asset.digest.md5, crc32c: asset.digest.crc32c, bytes: asset.digest.bytes });
      if (asset.status === 'skipped') expect(entry.reason).toMatch(/404/);
    }

    fx.sim.resetStats();
    const again = await fx.ingest({ testId, dest });
    expect(again.failures).toEqual([]);
    expect(again.downloaded).toBe(0);
    const rerun = fx.sim.stats();
    expect(rerun.media).toHaveLength(0);
    expect(rerun.calls.filter((c) => ['reelDetail', 'clipDetail', 'videoDownloadUrl', 'transcript'].includes(c.operation))).toHaveLength(0);
  });
});
