/**
 * Memory stays flat whatever the object size: objects generated on the fly in 64 KiB chunks (as
 * an HTTP body arrives; never allocated whole) go to a local folder (256 MiB) and to the emulator
 * (128 MiB, default 8 MiB upload chunks: fake-gcs-server appends resumable chunks slowly, about
 * 6 s for 128 MiB and 17 s for 256 MiB here), while the process's peak RSS is sampled.
 *
 * The growth is garbage awaiting collection plus one upload chunk, and it does not depend on the
 * object size: measured outside jest, local writes of 32 MiB, 256 MiB and 1 GiB all peaked at
 * +36 MiB, gs writes of 64 MiB and 256 MiB at +46 MiB.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGcsClient, openDestination, parseDestination, type Destination } from '../../storage';
import { generatedSource } from '../../storage/testing';
import { harnessValue } from '../support/harness-env';

const MiB = 1024 * 1024;

async function measureWrite(dest: Destination, relativePath: string, objectBytes: number) {
  const src = generatedSource(objectBytes, { chunkSize: 64 * 1024 });
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = Date.now();
  try {
    const stored = await dest.writeObject(relativePath, src.stream, {
      contentType: 'video/mp4',
      metadata: { kind: 'video' },
      expectedBytes: objectBytes,
      onProgress: () => (peak = Math.max(peak, process.memoryUsage().rss)),
    });
    peak = Math.max(peak, process.memoryUsage().rss);
    const growthMiB = (peak - baseline) / MiB;
    process.stderr.write(
      `[storage-memory] ${dest.uri}: ${objectBytes / MiB} MiB in ${Date.now() - started} ms, RSS ${(baseline / MiB).toFixed(0)} -> peak ${(peak / MiB).toFixed(0)} MiB (+${growthMiB.toFixed(1)} MiB)\n`,
    );
    expect(stored).toMatchObject(await src.checksums);
    return growthMiB;
  } finally {
    clearInterval(sampler);
  }
}

describe('bounded memory', () => {
  jest.setTimeout(60_000);

  it('local: 256 MiB with RSS growth under half the object (typically +8..+36 MiB)', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ut-media-storage-mem-'));
    try {
      const growth = await measureWrite(openDestination(parseDestination(root)), 'big/session.mp4', 256 * MiB);
      expect(growth).toBeLessThan(128);
      expect((await fs.stat(path.join(root, 'big/session.mp4'))).size).toBe(256 * MiB);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });

  it('gs: 128 MiB resumable upload in 8 MiB chunks with RSS growth below the object size (typically +45..+53 MiB)', async () => {
    const storage = createGcsClient({ STORAGE_EMULATOR_HOST: harnessValue('gcsUrl') });
    const bucket = `ut-media-storage-mem-${process.pid}-${Date.now().toString(36)}`;
    await storage.createBucket(bucket);
    try {
      const growth = await measureWrite(openDestination(parseDestination(`gs://${bucket}/p`), { storage }), 'big/session.mp4', 128 * MiB);
      expect(growth).toBeLessThan(112);
    } finally {
      // Free the emulator's memory for the rest of the run.
      await storage.bucket(bucket).deleteFiles({ force: true }).catch(() => undefined);
    }
  });
});
