import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claimStateFile, findServing, ownerFile, recordServer, releaseStateFile, StateFileInUseError } from '../../infra/dev-server-owner';

/** A long-running process whose command line names `file`, as `temporal server start-dev --db-filename` does; resolves once it runs. */
async function fakeServer(file: string, ignoreTerm = false): Promise<ChildProcess> {
  const code = `${ignoreTerm ? "process.on('SIGTERM', () => {});" : ''} setInterval(() => {}, 1000); console.log('ready');`;
  const child = spawn(process.execPath, ['-e', code, '--', '--db-filename', file], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  return child;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

const ended = (child: ChildProcess) =>
  new Promise<NodeJS.Signals | null>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve(child.signalCode) : child.once('exit', (_code, signal) => resolve(signal)),
  );

describe('claiming the state file of a dev server', () => {
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

  const writeRecord = (record: object) => fs.writeFileSync(ownerFile(db), JSON.stringify(record));
  const readRecord = () => JSON.parse(fs.readFileSync(ownerFile(db), 'utf8'));

  test('a free file: claimed at once, then the server recorded, found while it runs, released', async () => {
    expect(await claimStateFile(db)).toEqual({ stoppedOrphan: undefined });
    expect(readRecord()).toMatchObject({ ownerPid: process.pid });
    const server = track(await fakeServer(db));
    recordServer(db, server.pid!, '127.0.0.1:7233');
    expect(findServing(db)).toEqual({ address: '127.0.0.1:7233', ownerPid: process.pid });
    releaseStateFile(db);
    expect(fs.existsSync(ownerFile(db))).toBe(false);
  });

  test('owner dead, its server alive on this file: the server is stopped with SIGTERM and the file claimed', async () => {
    const server = track(await fakeServer(db));
    writeRecord({ ownerPid: await deadPid(), serverPid: server.pid, address: '127.0.0.1:1' });
    expect(findServing(db)).toBeUndefined();
    expect(await claimStateFile(db)).toEqual({ stoppedOrphan: server.pid });
    expect(await ended(server)).toBe('SIGTERM');
    expect(readRecord()).toMatchObject({ ownerPid: process.pid });
  });

  test('an orphan that ignores SIGTERM is killed after the grace period', async () => {
    const server = track(await fakeServer(db, true));
    writeRecord({ ownerPid: await deadPid(), serverPid: server.pid });
    expect(await claimStateFile(db, { graceMs: 500 })).toEqual({ stoppedOrphan: server.pid });
    expect(await ended(server)).toBe('SIGKILL');
  });

  test('a live owner: waited for, then refused by type; its server left running', async () => {
    const owner = track(await fakeServer(path.join(dir, 'owner')));
    const server = track(await fakeServer(db));
    writeRecord({ ownerPid: owner.pid, serverPid: server.pid, address: '127.0.0.1:2' });
    expect(findServing(db)).toEqual({ address: '127.0.0.1:2', ownerPid: owner.pid });
    const started = Date.now();
    await expect(claimStateFile(db, { waitMs: 600 })).rejects.toBeInstanceOf(StateFileInUseError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(server.exitCode).toBeNull();
    expect(server.signalCode).toBeNull();
  });

  test('a live owner that lets go within the wait: the file is claimed then', async () => {
    const owner = track(await fakeServer(path.join(dir, 'owner')));
    writeRecord({ ownerPid: owner.pid });
    setTimeout(() => fs.rmSync(ownerFile(db)), 300);
    expect(await claimStateFile(db, { waitMs: 10_000 })).toEqual({ stoppedOrphan: undefined });
    expect(readRecord()).toMatchObject({ ownerPid: process.pid });
  });

  test('an owner pid recycled since by another process (its start time differs) counts as dead', async () => {
    const recycled = track(await fakeServer(path.join(dir, 'unrelated')));
    const server = track(await fakeServer(db));
    writeRecord({ ownerPid: recycled.pid, ownerStart: '1', serverPid: server.pid });
    expect(findServing(db)).toBeUndefined();
    expect(await claimStateFile(db, { waitMs: 0 })).toEqual({ stoppedOrphan: server.pid });
    expect(recycled.signalCode).toBeNull();
  });

  test('a recorded server pid that now belongs to another program is left alone', async () => {
    const other = track(await fakeServer(path.join(dir, 'another.db')));
    writeRecord({ ownerPid: await deadPid(), serverPid: other.pid });
    expect(await claimStateFile(db)).toEqual({ stoppedOrphan: undefined });
    expect(other.signalCode).toBeNull();
  });

  test('an empty record its writer left long ago is removed', async () => {
    fs.writeFileSync(ownerFile(db), '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(ownerFile(db), old, old);
    expect(await claimStateFile(db, { waitMs: 0 })).toEqual({ stoppedOrphan: undefined });
  });

  test('release keeps a record another process holds', () => {
    writeRecord({ ownerPid: process.pid + 100_000 });
    releaseStateFile(db);
    expect(fs.existsSync(ownerFile(db))).toBe(true);
  });
});
