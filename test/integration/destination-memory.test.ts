/**
 * A large object streams to every destination with flat memory, at the destination's defaults (gs: 8 MiB chunks; s3: 5 MiB parts, two in flight; az: 8 MiB blocks, two in flight). The bytes
 * are generated on the fly in 64 KiB chunks (as an HTTP body arrives; never allocated whole) while
 * the process's peak RSS is sampled; the bound is 64 MiB of growth.
 *
 * Each transfer runs in a process of its own (test/support/memory-transfer.ts) and its peak is the
 * kernel's high-water mark of that process: a jest worker also holds what earlier test files left,
 * which made the figure move with its neighbours (388 MiB once, with other work on the machine).
 *
 * The baseline is taken after a first, small write: what that sets up once (the hashing thread,
 * lazily loaded code, connections) is not growth with the object. What remains is the chunks or
 * parts in flight, the one being filled, the hashing thread's blocks and garbage awaiting
 * collection, none of which depends on the object's size.
 *
 * `npm test` sends 512 MiB to the folder, s3:// and az:// (eight times the bound, so a buffered
 * object cannot pass; 2 GiB took 158 s of the CI's time) and `npm run test:memory` the whole 2 GiB.
 * fake-gcs-server hashes the whole upload again at every chunk it appends: 2 GiB in 8 MiB chunks
 * takes it a quarter of an hour (quadratic in the size), so `npm test` sends it 128 MiB (the same
 * chunks, the same memory).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { BACKENDS, type BackendUnderTest } from '../support/destination-backends';

const MiB = 1024 * 1024;
const GROWTH_BOUND_MIB = 64;
const FULL_RUN = process.env.UT_TEST_MEMORY === '1';
/** The measured transfer, compiled by `npm run build` (the pretest step). */
const TRANSFER = path.join(__dirname, '../../dist/test/support/memory-transfer.js');

function objectBytes(backend: BackendUnderTest): number {
  if (FULL_RUN) return 2048 * MiB;
  return backend.name === 'gs' ? 128 * MiB : 512 * MiB;
}

interface Measured {
  baselineKiB: number;
  peakKiB: number;
  ms: number;
  stored: { bytes: number; md5: string; crc32c: string };
  stat?: { bytes: number; md5: string; crc32c: string };
  sent: { bytes: number; md5: string; crc32c: string };
}

const linuxOnly = process.platform === 'linux' && fs.existsSync('/proc/self/clear_refs') ? describe.each(BACKENDS) : describe.skip.each(BACKENDS);

linuxOnly('$name: bounded memory', (backend) => {
  const bytes = objectBytes(backend);

  it(
    `${bytes / MiB} MiB with peak RSS growth under ${GROWTH_BOUND_MIB} MiB, measured in a process of its own; every byte arrives`,
    async () => {
      expect(fs.existsSync(TRANSFER)).toBe(true);
      const { stdout } = await promisify(execFile)(process.execPath, [TRANSFER, backend.name, String(bytes)], { env: process.env, maxBuffer: 1 << 20 });
      const m = JSON.parse(stdout.trim().split('\n').pop()!) as Measured;
      const growthMiB = (m.peakKiB - m.baselineKiB) / 1024;
      process.stderr.write(
        `[destination-memory] ${backend.name} ${bytes / MiB} MiB in ${m.ms} ms, ` +
          `RSS ${(m.baselineKiB / 1024).toFixed(0)} -> peak ${(m.peakKiB / 1024).toFixed(0)} MiB (+${growthMiB.toFixed(1)} MiB)\n`,
      );
      expect(m.stored).toMatchObject(m.sent);
      expect(m.stat).toMatchObject({ bytes, md5: m.sent.md5, crc32c: m.sent.crc32c });
      expect(growthMiB).toBeLessThan(GROWTH_BOUND_MIB);
    },
    FULL_RUN ? 40 * 60_000 : 10 * 60_000,
  );
});
