/**
 * Where a streaming row and its curl write: tmpfs when it has room, so the row measures the pipeline
 * against curl on the link and not a shared VM disk, whose page cache made whichever of two 3 GB
 * writes came second 1.2–3 × slower (curl alone: 4.7 s first, 13.5 s second).
 */
import fs from 'node:fs';
import path from 'node:path';

export function scratchOnTmpfs(scratch: string, bytes: number): { root: string; where: 'tmpfs' | 'disk'; remove(): void } {
  const shm = '/dev/shm';
  try {
    const st = fs.statfsSync(shm);
    if (st.bavail * st.bsize > 2.5 * bytes) {
      const root = fs.mkdtempSync(path.join(shm, 'ut-media-bench-'));
      return { root, where: 'tmpfs', remove: () => fs.rmSync(root, { recursive: true, force: true }) };
    }
  } catch {
    // no /dev/shm here: the disk it is
  }
  const root = fs.mkdtempSync(path.join(scratch, 'stream-'));
  return { root, where: 'disk', remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}
