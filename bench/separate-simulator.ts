/**
 * The simulator in a process of its own, with one video, for the streaming rows of `npm run bench`:
 * generating and sending the bytes must not share the worker's thread, as the real API's host does not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createResultsApiClient } from '../usertesting/results-api-client';
import { createTokenProvider } from '../usertesting/token-provider';
import type { BenchApi } from './support';

const TEST_ID = '5e1f0b9a-3c2d-4e5f-8a6b-7c8d9e0f1a2b';
const SESSION_ID = '6f2a1c0b-4d3e-4f5a-9b7c-8d9e0f1a2b3c';
const CLIENT = { clientId: 'bench-streaming', clientSecret: 'bench-streaming-secret' };

export interface SeparateSimulator extends BenchApi {
  scenario: BenchApi['scenario'] & { tests: Array<{ testId: string; sessions: Array<{ sessionId: string }> }> };
  close(): Promise<void>;
}

/** `node dist/simulator/main.js` with a one-video scenario, in its own process; `linkBytesPerSecond` paces the video's link. */
export async function startSeparateSimulator(scratch: string, videoBytes: number, linkBytesPerSecond?: number): Promise<SeparateSimulator> {
  const rateLimit = { limit: 600, windowMs: 60_000 };
  const scenario = {
    seed: 13,
    rateLimit,
    clients: [CLIENT],
    ...(linkBytesPerSecond ? { faults: { slowMedia: { bytesPerSecond: linkBytesPerSecond } } } : {}),
    tests: [{ testId: TEST_ID, sessions: [{ sessionId: SESSION_ID, productType: 'NON_THINK_OUT_LOUD', videoBytes, clips: [] }], reels: [] }],
  };
  const file = path.join(scratch, `streaming-scenario-${videoBytes}-${linkBytesPerSecond ?? 'full'}.json`);
  fs.writeFileSync(file, JSON.stringify(scenario));
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, '..', 'simulator', 'main.js'), '--scenario', file, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code}) before listening`)));
  });
  child.stdout!.resume();
  return {
    baseUrl,
    tokenUrl: `${baseUrl}/oauth2/default/v1/token`,
    scenario: { clients: [CLIENT], rateLimit, tests: [{ testId: TEST_ID, sessions: [{ sessionId: SESSION_ID }] }] },
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A fresh signed link to the scenario's one video, as any client would get it. */
export async function videoLink(sim: SeparateSimulator): Promise<string> {
  const client = sim.scenario.clients[0];
  const tokens = createTokenProvider({ credentials: { kind: 'client-credentials', ...client }, tokenUrl: sim.tokenUrl });
  const api = createResultsApiClient({ baseUrl: sim.baseUrl, tokens });
  return (await api.getVideoDownloadUrl(sim.scenario.tests[0].sessions[0].sessionId)).link;
}
