/**
 * One measured transfer in a process of its own (`node dist/test/support/memory-transfer.js
 * <backend> <bytes>`), so its RSS is the transfer's and nothing a neighbouring test left in a jest
 * worker: a warm-up write, then the peak RSS (the kernel's high-water mark, reset after the warm-up)
 * during a write of `bytes` generated on the fly. Prints one JSON line; the harness's emulator
 * addresses come from the environment, as for every test process.
 */
import fs from 'node:fs';
import { generatedSource } from './generated-source';
import { BACKENDS } from './destination-backends';

const MiB = 1024 * 1024;
const REL = 'test_id=1/session_id=2/session.mp4';

function residentKiB(field: 'VmRSS' | 'VmHWM'): number {
  const line = fs
    .readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN);
}

async function main(): Promise<void> {
  const [name, size] = process.argv.slice(2);
  const backend = BACKENDS.find((b) => b.name === name);
  if (!backend) throw new Error(`no backend ${name}`);
  const bytes = Number(size);
  const store = await backend.newStore();
  try {
    const dest = store.destination('p', true);
    await dest.writeObject('warm-up.mp4', generatedSource(24 * MiB, { nativeCrc32c: true }).stream, { contentType: 'video/mp4', metadata: {} });
    const src = generatedSource(bytes, { nativeCrc32c: true });
    // Writing 5 to clear_refs resets the high-water mark to the current RSS.
    fs.writeFileSync('/proc/self/clear_refs', '5');
    const baselineKiB = residentKiB('VmRSS');
    const started = Date.now();
    const stored = await dest.writeObject(REL, src.stream, { contentType: 'video/mp4', metadata: { kind: 'video' }, expectedBytes: bytes });
    const peakKiB = residentKiB('VmHWM');
    const sent = await src.checksums;
    const stat = await dest.stat(REL);
    process.stdout.write(
      JSON.stringify({
        baselineKiB,
        peakKiB,
        ms: Date.now() - started,
        stored: { bytes: stored.bytes, md5: stored.md5, crc32c: stored.crc32c },
        stat: stat && { bytes: stat.bytes, md5: stat.md5, crc32c: stat.crc32c },
        sent,
      }) + '\n',
    );
  } finally {
    await store.remove();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`memory-transfer: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
