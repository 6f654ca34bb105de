import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * Which process runs the dev server on a state file, kept beside the file while it runs. The server
 * has a process group of its own, so a SIGKILL of its owner (OOM killer, `kill -9`, a job's timeout)
 * leaves it running on the database with no worker; the next server on that file would share the
 * database with it. The next start stops such an orphan first.
 */
interface OwnerRecord {
  serverPid: number;
  ownerPid: number;
}

const ORPHAN_STOP_GRACE_MS = 10_000;

/** A live process runs a dev server on this state file: a second server on it would corrupt both. */
export class StateFileInUseError extends Error {
  override name = 'StateFileInUseError';
}

export const ownerFile = (dbFilename: string) => `${dbFilename}.server.json`;

export function recordOwner(dbFilename: string, serverPid: number): void {
  const record: OwnerRecord = { serverPid, ownerPid: process.pid };
  fs.writeFileSync(ownerFile(dbFilename), `${JSON.stringify(record)}\n`);
}

/** Removes the record if it is still that of `serverPid` (a later start may have replaced it). */
export function forgetOwner(dbFilename: string, serverPid: number): void {
  if (readRecord(dbFilename)?.serverPid === serverPid) fs.rmSync(ownerFile(dbFilename), { force: true });
}

/**
 * Stops the server a dead owner left running on `dbFilename`; returns its pid, or undefined when
 * there was none. A recorded pid that now belongs to some other program is left alone; a server
 * whose owner lives is refused with StateFileInUseError.
 */
export async function stopOrphanedServer(dbFilename: string, graceMs = ORPHAN_STOP_GRACE_MS): Promise<number | undefined> {
  const record = readRecord(dbFilename);
  if (!record) return undefined;
  const serving = isAlive(record.serverPid) && servesFile(record.serverPid, dbFilename);
  if (serving && isAlive(record.ownerPid)) {
    throw new StateFileInUseError(`process ${record.ownerPid} runs a Temporal dev server (pid ${record.serverPid}) on ${dbFilename}: wait for it to end, or use another state folder`);
  }
  if (!serving) {
    fs.rmSync(ownerFile(dbFilename), { force: true });
    return undefined;
  }
  process.kill(record.serverPid, 'SIGTERM');
  if (!(await exitsWithin(record.serverPid, graceMs))) {
    process.kill(record.serverPid, 'SIGKILL');
    await exitsWithin(record.serverPid, graceMs);
  }
  fs.rmSync(ownerFile(dbFilename), { force: true });
  return record.serverPid;
}

function readRecord(dbFilename: string): OwnerRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(ownerFile(dbFilename), 'utf8')) as OwnerRecord;
    return Number.isInteger(record.serverPid) && Number.isInteger(record.ownerPid) ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Running (a zombie nobody has reaped yet counts as ended: where no init reaps orphans, one stays). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** The process's command line names the file (a recycled pid of another program does not). */
function servesFile(pid: number, dbFilename: string): boolean {
  try {
    const commandLine = fs.existsSync('/proc')
      ? fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      : [execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' })];
    return commandLine.some((part) => part.includes(dbFilename));
  } catch {
    return false;
  }
}

async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}
