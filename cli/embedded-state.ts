import fs from 'node:fs';
import path from 'node:path';

/** Where the embedded mode keeps its state: the dev server's database and, while it runs, how to reach it. */
export const embeddedStateDir = (cwd = process.cwd()) => path.resolve(cwd, '.ut-media');
export const embeddedDbFile = (dir: string) => path.join(dir, 'temporal.db');
const runningFile = (dir: string) => path.join(dir, 'running.json');

export interface RunningEmbedded {
  /** The dev server's gRPC address. */
  address: string;
  /** The `ingest` process that runs server and worker. */
  pid: number;
  namespace: string;
}

export function announceRunning(dir: string, running: RunningEmbedded): void {
  fs.writeFileSync(runningFile(dir), `${JSON.stringify(running)}\n`);
}

/** Removes the announcement, if it is still this process's (a later `ingest` may have replaced it). */
export function clearRunning(dir: string): void {
  try {
    const running = JSON.parse(fs.readFileSync(runningFile(dir), 'utf8')) as RunningEmbedded;
    if (running.pid !== process.pid) return;
  } catch {
    return;
  }
  fs.rmSync(runningFile(dir), { force: true });
}

/** The embedded cluster another `ingest` runs in this folder now, if any (a crashed one's file is ignored). */
export function findRunning(dir: string): RunningEmbedded | undefined {
  let running: RunningEmbedded;
  try {
    running = JSON.parse(fs.readFileSync(runningFile(dir), 'utf8')) as RunningEmbedded;
  } catch {
    return undefined;
  }
  try {
    process.kill(running.pid, 0);
    return running;
  } catch {
    return undefined;
  }
}
