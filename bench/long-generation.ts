/**
 * Part of `npm run bench -- --scale`: a reel that stays GENERATING until its deadline, polled every
 * millisecond (the bench's dev server fires timers within milliseconds), with the default
 * `inlinePolls` and `pollsPerRun`. Thousands of polls; no history may pass 10,000 events.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { measureHistories } from '../test/support/workflow-histories';
import { generateScenario, startSimulator } from '../simulator';
import type { ScaleBenchArgs } from './support';

const HISTORY_EVENTS_LIMIT = 10_000;
/** @default 6 minutes: at about 0.2 s of Temporal work a poll on 2 cores, well over a thousand polls. */
const DEFAULT_DEADLINE_MS = 360_000;

export async function runLongGenerationBench(args: ScaleBenchArgs, factor: number): Promise<boolean> {
  const deadlineMs = Math.round(Number(process.env.BENCH_LONG_GENERATION_MS ?? DEFAULT_DEADLINE_MS) * factor);
  const generated = generateScenario({
    seed: 7104,
    sessions: 1,
    reels: 3,
    reelBytes: 8 * 1024,
    productMix: { SURVEY: 1, THINK_OUT_LOUD: 0, NON_THINK_OUT_LOUD: 0, LIVE_CONVERSATION: 0 },
  });
  const stuck = generated.tests[0].reels[0].uuid!;
  const sim = await startSimulator({
    scenario: { ...generated, rateLimit: { limit: 1_000_000, windowMs: 60_000 }, generation: { generatingMs: 50 }, faults: { neverGenerated: [stuck] } },
  });
  const connection = await Connection.connect({ address: args.temporalAddress });
  try {
    const testId = sim.scenario.tests[0].testId;
    const dest = path.join(args.scratch, 'long-generation');
    fs.mkdirSync(dest, { recursive: true });
    console.log(
      `\n(scale) a reel GENERATING for ever, polled every 1 ms until a ${Math.round(deadlineMs / 1000)} s deadline ` +
        `(inlinePolls and pollsPerRun at their defaults)`,
    );
    const run = await args.ingest(
      sim,
      { testId, dest: `file://${dest}`, only: ['reels'], options: { pollInitialDelayMs: 1, pollMaxDelayMs: 1, generationDeadlineMs: deadlineMs } },
      {},
    );
    const polls = sim.stats().calls.filter((c) => c.operation === 'reelDetail' && c.testId === testId.toLowerCase()).length;
    await new Promise((r) => setTimeout(r, 2000)); // visibility is eventually consistent
    const figures = await measureHistories(new Client({ connection, namespace: args.namespace }), `UtTestId="${testId}"`);
    const reel = run.summary.counts.reel;
    const failedRight = reel.failed === 1 && /still generating after/.test(run.summary.failures[0]?.reason ?? '');
    const ok = failedRight && reel.stored === 2 && figures.maxEvents < HISTORY_EVENTS_LIMIT;
    console.log(
      `    ${polls.toLocaleString('en-US')} polls in ${((run.endedAt - run.startedAt) / 1000).toFixed(0)} s; ` +
        `reels stored ${reel.stored}/2, failed ${reel.failed} (${run.summary.failures[0]?.reason ?? '-'})` +
        `   ${failedRight && reel.stored === 2 ? '✓' : '✗'}`,
    );
    console.log(
      `    ${figures.runs} workflow runs; ` +
        `longest history ${figures.maxEvents.toLocaleString('en-US')} events (${figures.workflowOfMaxEvents ?? '?'})` +
        `   ${figures.maxEvents < HISTORY_EVENTS_LIMIT ? '✓' : '✗'} (< ${HISTORY_EVENTS_LIMIT.toLocaleString('en-US')}; ` +
        `in one history these polls would be about ${(polls * 10).toLocaleString('en-US')})`,
    );
    return ok;
  } finally {
    await connection.close();
    await sim.close();
  }
}
