import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { procStatFields } from './proc-stat';

/**
 * Which process runs the dev server on a state file, kept beside the file while it runs. The server
 * has a process group of its own, so a SIGKILL of its owner (OOM killer, `kill -9`, a job's timeout)
 * leaves it running on the database with no worker; a second server on that file would share the
 * database with it. So a start first claims the file: it stops such an orphan, and waits a while
 * for a live owner (an `ingest` starting or stopping, a `status` reading) before refusing.
 */
interface OwnerRecord {
  ownerPid: number;
  /** When the owner started (Linux: /proc start time), so a pid recycled since is not taken for it. */
  ownerStart?: string;
  /** Set once the server is spawned. */
  serverPid?: number;
  /** `127.0.0.1:port`, where that server answers. */
  address?: string;
}

export const ORPHAN_STOP_GRACE_MS = 10_000;
export const LIVE_OWNER_WAIT_MS = 15_000;
/** A record still empty this long after it was created belongs to a process that died writing it. */
const UNWRITTEN_RECORD_MS = 2000;

/** A live process runs a dev server on this state file: a second server on it would corrupt both. */
export class StateFileInUseError extends Error {
  override name = 'StateFileInUseError';
}

export const ownerFile = (dbFilename: string) => `${dbFilename}.server.json`;

export interface ClaimOptions {
  /** How long to wait for a live owner to let go before StateFileInUseError. */
  waitMs?: number;
  /** How long an orphan gets to stop on SIGTERM, then again on SIGKILL. */
  graceMs?: number;
}

/**
 * Claims `dbFilename` for this process, atomically (the record is created only if absent). Returns
 * the pid of an orphaned server it stopped first, if any.
 */
export async function claimStateFile(dbFilename: string, options: ClaimOptions = {}): Promise<{ stoppedOrphan?: number }> {
  const file = ownerFile(dbFilename);
  const deadline = Date.now() + (options.waitMs ?? LIVE_OWNER_WAIT_MS);
  let stoppedOrphan: number | undefined;
  for (;;) {
    try {
      fs.writeFileSync(file, `${JSON.stringify(thisOwner())}\n`, { flag: 'wx' });
      return { stoppedOrphan };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const record = readRecord(file);
    if (!record) {
      // Being written this instant, or left empty by a writer that died: only the latter is removed.
      if (ageMs(file) > UNWRITTEN_RECORD_MS) fs.rmSync(file, { force: true });
      else await sleep(100);
      continue;
    }
    const ownServer = record.serverPid !== undefined && isRunning(record.serverPid) && servesFile(record.serverPid, dbFilename);
    if (record.ownerPid !== process.pid && ownerLives(record)) {
      if (Date.now() >= deadline) {
        throw new StateFileInUseError(
          `process ${record.ownerPid} runs a Temporal dev server${record.serverPid ? ` (pid ${record.serverPid})` : ''} on ${dbFilename}: ` +
            `wait for it to end, or use another state folder ` +
            `(if process ${record.ownerPid} is not ut-media, remove ${file})`,
        );
      }
      await sleep(200);
      continue;
    }
    if (ownServer) {
      await stopProcess(record.serverPid!, options.graceMs ?? ORPHAN_STOP_GRACE_MS, dbFilename);
      stoppedOrphan = record.serverPid;
    }
    fs.rmSync(file, { force: true });
  }
}

/** Completes this process's claim with the server it spawned. */
export function recordServer(dbFilename: string, serverPid: number, address: string): void {
  const record: OwnerRecord = { ...thisOwner(), serverPid, address };
  const file = ownerFile(dbFilename);
  fs.writeFileSync(`${file}.${process.pid}`, `${JSON.stringify(record)}\n`);
  fs.renameSync(`${file}.${process.pid}`, file);
}

/** Gives up this process's claim (a later start may already hold a new one: that one is kept). */
export function releaseStateFile(dbFilename: string): void {
  const file = ownerFile(dbFilename);
  if (readRecord(file)?.ownerPid === process.pid) fs.rmSync(file, { force: true });
}

/** The server a live process runs on `dbFilename` now, if any: where `status` can read it. */
export function findServing(dbFilename: string): { address: string; ownerPid: number } | undefined {
  const record = readRecord(ownerFile(dbFilename));
  if (!record?.address || record.serverPid === undefined) return undefined;
  if (!ownerLives(record) || !isRunning(record.serverPid)) return undefined;
  return { address: record.address, ownerPid: record.ownerPid };
}

function thisOwner(): OwnerRecord {
  const ownerStart = startTimeOf(process.pid);
  return ownerStart === undefined ? { ownerPid: process.pid } : { ownerPid: process.pid, ownerStart };
}

function ownerLives(record: OwnerRecord): boolean {
  if (!isRunning(record.ownerPid)) return false;
  return record.ownerStart === undefined || startTimeOf(record.ownerPid) === record.ownerStart;
}

/** The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat); undefined elsewhere. */
function startTimeOf(pid: number): string | undefined {
  return procStatFields(pid)?.[19];
}

function readRecord(file: string): OwnerRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as OwnerRecord;
    return Number.isInteger(record.ownerPid) ? record : undefined;
  } catch {
    return undefined;
  }
}

async function stopProcess(pid: number, graceMs: number, dbFilename: string): Promise<void> {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw new StateFileInUseError(`cannot stop the Temporal dev server (pid ${pid}) left running on ${dbFilename}: ${(err as Error).message}`);
    }
    if (await exitsWithin(pid, graceMs)) return;
  }
  throw new StateFileInUseError(`the Temporal dev server (pid ${pid}) left running on ${dbFilename} does not stop`);
}

/** Running (a zombie nobody has reaped yet counts as ended: where no init reaps orphans, one stays). */
export function isRunning(pid: number): boolean {
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

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
