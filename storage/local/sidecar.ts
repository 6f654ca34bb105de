/**
 * The sidecar `<object>.json` that carries a local object's metadata (GCS keeps it on the object).
 * Written last, through a temp file and a rename, so a visible sidecar always describes a
 * complete object; read back by `stat`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { newTempPath, removeQuietly, syncDirectory } from './files';

export const SIDECAR_SUFFIX = '.json';

export interface Sidecar {
  storagePath: string;
  bytes: number;
  md5: string;
  crc32c: string;
  contentType: string;
  metadata: Record<string, string>;
  writtenAt: string;
}

export function sidecarPathOf(objectPath: string): string {
  return objectPath + SIDECAR_SUFFIX;
}

/** Writes the sidecar atomically (temp in the root's temp folder, fsync, rename, fsync folder). */
export async function writeSidecar(root: string, objectPath: string, sidecar: Sidecar): Promise<void> {
  const finalPath = sidecarPathOf(objectPath);
  const tempPath = await newTempPath(root, finalPath);
  try {
    const handle = await fs.open(tempPath, 'wx');
    try {
      await handle.writeFile(`${JSON.stringify(sidecar, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tempPath, finalPath);
    await syncDirectory(path.dirname(finalPath));
  } finally {
    await removeQuietly(tempPath);
  }
}

/** The sidecar when it exists and has the expected shape; undefined otherwise. */
export async function readSidecar(objectPath: string): Promise<Sidecar | undefined> {
  let text: string;
  try {
    text = await fs.readFile(sidecarPathOf(objectPath), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isSidecar(parsed)) return undefined;
  return parsed;
}

function isSidecar(v: unknown): v is Sidecar {
  if (!v || typeof v !== 'object') return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s.bytes === 'number' &&
    typeof s.md5 === 'string' &&
    s.md5 !== '' &&
    typeof s.crc32c === 'string' &&
    s.crc32c !== '' &&
    typeof s.storagePath === 'string' &&
    (s.metadata === undefined || (typeof s.metadata === 'object' && s.metadata !== null && !Array.isArray(s.metadata)))
  );
}
