/**
 * A 2 GiB object streams to az:// (Azurite) with flat memory: generated on the fly in 64 KiB
 * chunks (as an HTTP body arrives; never allocated whole), staged in 8 MiB blocks, two in flight,
 * while this process's peak RSS is sampled. The growth is the blocks being filled and sent plus
 * garbage awaiting collection; it does not depend on the object's size.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { openDestination, parseDestination } from '../../storage';
import { generatedSource } from '../../storage/testing';
import { harnessValue } from '../support/harness-env';

const MiB = 1024 * 1024;
const OBJECT_BYTES = 2048 * MiB;

describe('bounded memory on az://', () => {
  jest.setTimeout(240_000);

  it('2 GiB in 8 MiB blocks with peak RSS growth under 64 MiB', async () => {
    const service = BlobServiceClient.fromConnectionString(harnessValue('azureConnectionString'));
    const container = service.getContainerClient(`ut-media-mem-${process.pid}-${Date.now().toString(36)}`);
    await container.create();
    try {
      const dest = openDestination(parseDestination(`az://${container.containerName}/p`), { blobService: service });
      const src = generatedSource(OBJECT_BYTES, { chunkSize: 64 * 1024 });
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
      const sampler = setInterval(sample, 20);
      const started = Date.now();
      let stored;
      try {
        stored = await dest.writeObject('big/session.mp4', src.stream, { contentType: 'video/mp4', metadata: { kind: 'video' }, expectedBytes: OBJECT_BYTES, onProgress: sample });
      } finally {
        clearInterval(sampler);
      }
      sample();
      const growthMiB = (peak - baseline) / MiB;
      process.stderr.write(
        `[storage-azure-memory] ${OBJECT_BYTES / MiB} MiB in ${Date.now() - started} ms, RSS ${(baseline / MiB).toFixed(0)} -> peak ${(peak / MiB).toFixed(0)} MiB (+${growthMiB.toFixed(1)} MiB)\n`,
      );
      expect(stored).toMatchObject(await src.checksums);
      expect((await dest.stat('big/session.mp4'))?.bytes).toBe(OBJECT_BYTES);
      expect(growthMiB).toBeLessThan(64);
    } finally {
      // Frees the emulator's memory for the rest of the run.
      await container.delete().catch(() => undefined);
    }
  });
});
