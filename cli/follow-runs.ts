import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { pruneRefusals } from '../contract/withdrawals';
import type { Settings } from '../config/settings';
import { redactSecrets } from '../usertesting/redact';
import type { IngestSummary } from '../contract/asset-types';
import { EXIT } from './exit-codes';
import { createProgressDisplay } from './progress-display';
import { pollProgress } from './progress-poller';
import { describeProblem, HEALTH_CHECK_MS, watchForStall } from './run-health';
import { printSummary, type TestOutcome } from './summary-output';
import type { IngestRequest } from './validate-ingest';
import { describeRunFailure } from './run-failure';
import { resultThroughOutages, ServerUnreachableError, type OutageOptions } from './wait-result';

export interface FollowFlags {
  json?: boolean;
  progress?: boolean;
}

/**
 * What following runs needs: `dest` to check an attached run writes where asked (unknown to
 * `status --wait`); `serverMayReturn` says whether waiting for a server that stopped answering makes sense.
 */
export type FollowRequest = Pick<IngestRequest, 'testIds' | 'only'> & { dest?: string; serverMayReturn?: () => boolean };

/**
 * Follows the runs to their end (`ingest`, `status --wait`), prints the summary and returns the exit
 * code (the worst test's); undefined when `interrupt` fired first (display stopped, nothing printed).
 */
export async function followAndReport(
  client: Client,
  handles: WorkflowHandle[],
  request: FollowRequest,
  settings: Settings,
  flags: FollowFlags,
  interrupt?: AbortSignal,
): Promise<number | undefined> {
  const outcomes = await follow(client, handles, request, settings, flags, interrupt);
  if (!outcomes) return undefined;
  printSummary(outcomes, Boolean(flags.json));
  return Math.max(...outcomes.map((o) => o.code));
}

/** Waits for every run, showing progress and problems; a run stuck past UT_STALL_TIMEOUT_MS ends with exit 1. */
async function follow(
  client: Client,
  handles: WorkflowHandle[],
  request: FollowRequest,
  settings: Settings,
  flags: FollowFlags,
  interrupt?: AbortSignal,
): Promise<TestOutcome[] | undefined> {
  const display =
    flags.progress === false ? undefined : createProgressDisplay({ ratePerMinute: settings.ratePerMinute, plainEveryMs: settings.progressIntervalMs });
  // Queries spread out with many tests: about five runs asked per second.
  const everyMs = Math.min(settings.progressIntervalMs, 1000 * Math.max(1, Math.ceil(handles.length / 5)));
  const polling = display
    ? pollProgress(
        client,
        handles.map((handle) => ({ handle, dest: request.dest, only: request.only })),
        display,
        everyMs,
      )
    : undefined;
  // Health checks describe each run and its children: spread them out when there are many tests.
  const healthEveryMs = Math.min(settings.stallTimeoutMs, HEALTH_CHECK_MS * Math.max(1, Math.ceil(handles.length / 5)));
  const stop = new AbortController();
  const interrupted = new Promise<undefined>((resolve) => {
    if (interrupt?.aborted) resolve(undefined);
    interrupt?.addEventListener('abort', () => resolve(undefined), { once: true });
  });
  try {
    return await Promise.race([
      Promise.all(handles.map((h, i) => followOne(client, h, request.testIds[i], request, settings, healthEveryMs, stop.signal))),
      interrupted,
    ]);
  } finally {
    stop.abort();
    if (interrupt?.aborted) polling?.stop();
    else await polling?.finish();
    display?.stop();
  }
}

async function followOne(
  client: Client,
  handle: WorkflowHandle,
  testId: string,
  request: FollowRequest,
  settings: Settings,
  everyMs: number,
  stop: AbortSignal,
): Promise<TestOutcome> {
  const { dest, serverMayReturn = () => true } = request;
  const report = (line: string) => process.stderr.write(`ut-media: ${line}\n`);
  const watch = watchForStall(client, handle, { dest, everyMs, stallTimeoutMs: settings.stallTimeoutMs, report });
  stop.addEventListener('abort', () => watch.stop(), { once: true });
  const stalled = watch.stalled.then((stuck): TestOutcome => {
    const error =
      `gave up after ${Math.round(settings.stallTimeoutMs / 1000)} s without progress: ${describeProblem(stuck)}. ` +
      `The workflow is still open: fix the cause and run ingest again (it attaches), or terminate it`;
    return { testId, code: EXIT.failed, error: redactSecrets(error) };
  });
  try {
    return await Promise.race([result(handle, testId, dest, { limitMs: settings.stallTimeoutMs, mayReturn: serverMayReturn, report }), stalled]);
  } finally {
    watch.stop();
  }
}

async function result(handle: WorkflowHandle, testId: string, dest: string | undefined, outages: OutageOptions): Promise<TestOutcome> {
  try {
    const summary = (await resultThroughOutages(handle, outages)) as IngestSummary;
    if (dest !== undefined && summary.dest !== dest) {
      // USE_EXISTING attached us to a run that was started with another destination.
      const error = `attached to a running ingestion of this test into ${summary.dest}, not ${dest}; run again to ingest into ${dest}`;
      return { testId, code: EXIT.failed, summary, error };
    }
    return { testId, code: summary.failed || pruneRefusals(summary.withdrawals).length ? EXIT.failed : EXIT.ok, summary };
  } catch (err) {
    if (err instanceof ServerUnreachableError) {
      const advice = err.gone
        ? 'the run is paused in ./.ut-media/: run the same `ut-media ingest` here again to resume it'
        : `the ingestion goes on in Temporal: follow it with \`ut-media status --test ${testId} --wait\` once the server is back`;
      return { testId, code: EXIT.failed, error: `${err.message}; ${advice}` };
    }
    if (!(err instanceof WorkflowFailedError)) throw err;
    const failure = describeRunFailure(err);
    return { testId, code: failure.code, error: `ingestion failed: ${failure.cause}` };
  }
}
