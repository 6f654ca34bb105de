import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forgetOwner, ownerFile, recordOwner, StateFileInUseError, stopOrphanedServer } from '../../infra/dev-server-owner';

/** A long-running process whose command line names `file`, as `temporal server start-dev --db-filename` does. */
function fakeServer(file: string, ignoreTerm = false): ChildProcess {
  const code = `${ignoreTerm ? "process.on('SIGTERM', () => {});" : ''} setInterval(() => {}, 1000);`;
  return spawn(process.execPath, ['-e', code, '--', '--db-filename', file], { stdio: 'ignore' });
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

const ended = (child: ChildProcess) => new Promise<NodeJS.Signals | null>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.signalCode) : child.once('exit', (_code, signal) => resolve(signal))));

describe('the dev server a killed owner left on a state file', () => {
  let dir: string;
  let db: string;
  const children: ChildProcess[] = [];
  const track = (child: ChildProcess) => (children.push(child), child);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ut-owner-'));
    db = path.join(dir, 'temporal.db');
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const writeRecord = (serverPid: number, ownerPid: number) => fs.writeFileSync(ownerFile(db), JSON.stringify({ serverPid, ownerPid }));

  test('no record: nothing to stop', async () => {
    expect(await stopOrphanedServer(db)).toBeUndefined();
  });

  test('owner dead, server alive on this file: stopped with SIGTERM, the record removed', async () => {
    const server = track(fakeServer(db));
    writeRecord(server.pid!, await deadPid());
    expect(await stopOrphanedServer(db)).toBe(server.pid);
    expect(await ended(server)).toBe('SIGTERM');
    expect(fs.existsSync(ownerFile(db))).toBe(false);
  });

  test('a server that ignores SIGTERM is killed after the grace period', async () => {
    const server = track(fakeServer(db, true));
    await new Promise((r) => setTimeout(r, 300)); // its SIGTERM handler installed
    writeRecord(server.pid!, await deadPid());
    expect(await stopOrphanedServer(db, 500)).toBe(server.pid);
    expect(await ended(server)).toBe('SIGKILL');
  });

  test('owner alive: refused by type, the server left running', async () => {
    const server = track(fakeServer(db));
    writeRecord(server.pid!, process.pid);
    await expect(stopOrphanedServer(db)).rejects.toBeInstanceOf(StateFileInUseError);
    expect(server.exitCode).toBeNull();
    expect(server.signalCode).toBeNull();
  });

  test('a recorded pid that now belongs to another program is left alone', async () => {
    const other = track(fakeServer(path.join(dir, 'another.db')));
    writeRecord(other.pid!, await deadPid());
    expect(await stopOrphanedServer(db)).toBeUndefined();
    expect(other.signalCode).toBeNull();
    expect(fs.existsSync(ownerFile(db))).toBe(false);
  });

  test('recordOwner / forgetOwner: only the recorded server forgets its record', () => {
    recordOwner(db, 4242);
    expect(JSON.parse(fs.readFileSync(ownerFile(db), 'utf8'))).toEqual({ serverPid: 4242, ownerPid: process.pid });
    forgetOwner(db, 4343);
    expect(fs.existsSync(ownerFile(db))).toBe(true);
    forgetOwner(db, 4242);
    expect(fs.existsSync(ownerFile(db))).toBe(false);
  });
});
