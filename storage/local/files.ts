/**
 * File-system steps of the local destination: temp files in `<root>/.ut-media-tmp/`, fsync of
 * files and folders, atomic publish (create-if-absent or replace), and sweeping crashed leftovers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { LOCAL_TEMP_DIR } from '../object-names';

/** Errors of `fs.link` meaning "this file system has no hard links": fall back to a checked rename. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

export function tempDirOf(root: string): string {
  return path.join(root, LOCAL_TEMP_DIR);
}

/** A fresh, unique temp path for one write attempt (created by the caller with 'wx'). */
export async function newTempPath(root: string, finalPath: string): Promise<string> {
  const dir = tempDirOf(root);
  await fs.mkdir(dir, { recursive: true });
  const base = path.basename(finalPath).slice(0, 80);
  return path.join(dir, `${base}.${process.pid}.${Date.now()}.${randomBytes(6).toString('hex')}.part`);
}

const RESUMABLE = /^(.*)\.a(\d+)\.part$/;

/** The temp file of attempt `attempt` of the resumable write `key` to `finalPath`. */
export function resumableTempPath(root: string, finalPath: string, key: string, attempt: number): string {
  return path.join(tempDirOf(root), `${resumableStem(root, finalPath, key)}.a${attempt}.part`);
}

/** `<first folder of the object>~<file name>.r<hash>`: the first folder (`test_id=<id>`) says whose it is. */
function resumableStem(root: string, finalPath: string, key: string): string {
  const id = createHash('sha256').update(`${key}\n${finalPath}`).digest('hex').slice(0, 20);
  return `${resumableOwner(path.relative(root, finalPath).split(path.sep)[0]!)}${path.basename(finalPath).slice(0, 80)}.r${id}`;
}

const resumableOwner = (firstFolder: string) => `${firstFolder.slice(0, 60)}~`;

/**
 * Moves the largest leftover of an earlier attempt of `key` (idle more than `idleMs`) to this
 * attempt's temp path and returns its length; other leftovers of `key` are removed. Renaming it away
 * means a late-waking earlier attempt can no longer delete or publish it.
 */
export async function adoptLeftover(root: string, finalPath: string, key: string, attempt: number, idleMs: number): Promise<number> {
  const dir = tempDirOf(root);
  await fs.mkdir(dir, { recursive: true });
  const stem = resumableStem(root, finalPath, key);
  const target = resumableTempPath(root, finalPath, key, attempt);
  const leftovers: Array<{ file: string; size: number }> = [];
  for (const name of await fs.readdir(dir)) {
    const match = RESUMABLE.exec(name);
    if (!match || match[1] !== stem || Number(match[2]) >= attempt) continue;
    const st = await statOrUndefined(path.join(dir, name));
    if (st?.isFile() && Date.now() - st.mtimeMs > idleMs) leftovers.push({ file: path.join(dir, name), size: st.size });
  }
  leftovers.sort((a, b) => b.size - a.size);
  await removeQuietly(target);
  const [best, ...rest] = leftovers;
  for (const other of rest) await removeQuietly(other.file);
  if (!best) return 0;
  try {
    await fs.rename(best.file, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  return best.size;
}

/** fsync a folder so a rename or link in it survives a crash. Some file systems refuse: ignored. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, fsConstants.O_RDONLY);
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR' && code !== 'EPERM') throw err;
  } finally {
    await handle?.close();
  }
}

/** Removes a file; one already gone (or whose folder is not there) is not an error, anything else is. */
export async function removeIfPresent(file: string): Promise<void> {
  try {
    await fs.rm(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
  }
}

/** Removes a file, ignoring every error: only for clean-up after a failure, where the first error is the one to report. */
export async function removeQuietly(file: string): Promise<void> {
  await fs.rm(file, { force: true }).catch(() => undefined);
}

export async function statOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** A token that changes whenever the file is replaced (a rename brings a new inode) or rewritten. */
export function versionToken(st: Stats): string {
  return `${st.ino}-${Math.round(st.mtimeMs * 1000)}-${st.size}`;
}

/**
 * Makes `tempPath` visible as `finalPath` only if nothing is there: a hard link fails with EEXIST
 * atomically. Returns false when something already is. The temp file is removed either way.
 */
export async function publishIfAbsent(tempPath: string, finalPath: string): Promise<boolean> {
  try {
    await fs.link(tempPath, finalPath);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(code)) throw err;
    // No hard links here: check, then rename. A writer racing in between could be overwritten.
    if (await statOrUndefined(finalPath)) return false;
    await fs.rename(tempPath, finalPath);
    return true;
  } finally {
    await removeQuietly(tempPath);
  }
}

/**
 * Removes files in `<root>/.ut-media-tmp/` last modified more than `olderThanMs` ago: leftovers of
 * writers that crashed. Returns how many were removed. A missing temp folder is not an error.
 * With `onlyResumableUnder` (a first folder, `test_id=<id>`), resumable leftovers of other folders
 * are kept: another run's retry may still take them over.
 */
export async function sweepStaleTempFiles(root: string, olderThanMs: number, onlyResumableUnder?: string): Promise<number> {
  const dir = tempDirOf(root);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const cutoff = Date.now() - olderThanMs;
  let removed = 0;
  for (const name of names) {
    if (onlyResumableUnder !== undefined && RESUMABLE.test(name) && !name.startsWith(resumableOwner(onlyResumableUnder))) continue;
    const file = path.join(dir, name);
    const st = await statOrUndefined(file);
    if (!st || !st.isFile() || st.mtimeMs > cutoff) continue;
    await fs.rm(file, { force: true });
    removed++;
  }
  return removed;
}
