/**
 * A 2 GiB object streams to every destination with flat memory, at the destination's defaults
 * (gs: 8 MiB chunks; s3: 5 MiB parts, two in flight; az: 8 MiB blocks, two in flight). The bytes
 * are generated on the fly in 64 KiB chunks (as an HTTP body arrives; never allocated whole) while
 * the process's peak RSS is sampled; the bound is 64 MiB of growth.
 *
 * The baseline is taken after a first, small write: what that sets up once (the hashing thread,
 * lazily loaded code, connections) is not growth with the object. What remains is the chunks or
 * parts in flight, the one being filled, the hashing thread's blocks and garbage awaiting
 * collection, none of which depends on the object's size.
 *
 * fake-gcs-server hashes the whole upload again at every chunk it appends: 2 GiB in 8 MiB chunks
 * takes it a quarter of an hour (quadratic in the size), so `npm test` sends it 128 MiB (the same
 * chunks, the same memory) and `npm run test:memory` the whole 2 GiB.
 */
import { generatedSource } from '../../storage/testing';
import { BACKENDS, type BackendUnderTest } from '../support/destination-backends';

const MiB = 1024 * 1024;
const GROWTH_BOUND_MIB = 64;
const FULL_RUN = process.env.UT_TEST_MEMORY === '1';

function objectBytes(backend: BackendUnderTest): number {
  return backend.name === 'gs' && !FULL_RUN ? 128 * MiB : 2048 * MiB;
}

describe.each(BACKENDS)('$name: bounded memory', (backend) => {
  const bytes = objectBytes(backend);
  const REL = 'test_id=1/session_id=2/session.mp4';

  it(`${bytes / MiB} MiB with peak RSS growth under ${GROWTH_BOUND_MIB} MiB; every byte arrives`, async () => {
    const store = await backend.newStore();
    try {
      const dest = store.destination('p', true);
      await dest.writeObject('warm-up.mp4', generatedSource(24 * MiB, { nativeCrc32c: true }).stream, { contentType: 'video/mp4', metadata: {} });

      const src = generatedSource(bytes, { nativeCrc32c: true });
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
      const sampler = setInterval(sample, 20);
      const started = Date.now();
      let streamedAt = 0;
      const stored = await dest
        .writeObject(REL, src.stream, {
          contentType: 'video/mp4',
          metadata: { kind: 'video' },
          expectedBytes: bytes,
          onProgress: (n) => {
            sample();
            if (n === bytes) streamedAt = Date.now();
          },
        })
        .finally(() => clearInterval(sampler));
      sample();
      const growthMiB = (peak - baseline) / MiB;
      process.stderr.write(
        `[destination-memory] ${backend.name} ${bytes / MiB} MiB: streamed in ${streamedAt - started} ms, stored in ${Date.now() - started} ms, RSS ${(baseline / MiB).toFixed(0)} -> peak ${(peak / MiB).toFixed(0)} MiB (+${growthMiB.toFixed(1)} MiB)\n`,
      );
      const sent = await src.checksums;
      expect(stored).toMatchObject(sent);
      expect(await dest.stat(REL)).toMatchObject({ bytes, md5: sent.md5, crc32c: sent.crc32c });
      expect(growthMiB).toBeLessThan(GROWTH_BOUND_MIB);
    } finally {
      // Frees the emulator's memory for the rest of the run.
      await store.remove();
    }
  }, FULL_RUN ? 40 * 60_000 : 10 * 60_000);
});
