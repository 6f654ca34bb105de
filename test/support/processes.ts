import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(PROJECT_ROOT, 'bin', 'ut-media.js');

export interface CliProcess {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

/** Runs the built CLI (`npm test` builds dist/ first) as a separate process. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, cwd = PROJECT_ROOT): CliProcess {
  if (!fs.existsSync(path.join(PROJECT_ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it in pretest)');
  }
  return spawnCommand(process.execPath, [CLI, ...args], env, cwd);
}

/** Any command, its output collected; the environment is `env` plus PATH and HOME. */
export function spawnCommand(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = PROJECT_ROOT): CliProcess {
  const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

export async function waitFor<T>(probe: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * CLI processes a test starts; `killAll` (in afterAll) stops those still running: SIGTERM first, so
 * an embedded `ingest` stops its dev server too, then SIGKILL for any that did not end.
 */
export class ProcessGroup {
  private readonly started: CliProcess[] = [];

  spawn(args: string[], env: NodeJS.ProcessEnv, cwd?: string): CliProcess {
    const p = spawnCli(args, env, cwd);
    this.started.push(p);
    return p;
  }

  spawnCommand(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): CliProcess {
    const p = spawnCommand(command, args, env, cwd);
    this.started.push(p);
    return p;
  }

  async killAll(graceMs = 5000): Promise<void> {
    const running = this.started.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    for (const p of running) p.child.kill('SIGTERM');
    const timer = new Promise((r) => setTimeout(r, graceMs).unref());
    await Promise.race([Promise.all(running.map((p) => p.exited)), timer]);
    for (const p of running) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  }
}
