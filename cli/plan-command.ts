import crypto from 'node:crypto';
import { WITHDRAWABLE_LISTS } from '../contract/withdrawals';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { runOptionsFromSettings } from '../config/run-options';
import type { Settings } from '../config/settings';
import { ASSET_KIND_LIST } from '../contract/asset-types';
import { SELECTION_OF_KIND } from '../contract/inputs';
import type { PlanTestResultInput } from '../workflows/plan-test-result';
import type { TestPlan } from '../contract/plan-types';
import { testWorkflowId } from '../contract/task-queues';
import { checkDestination } from './destination-check';
import { CliError, EXIT } from './exit-codes';
import { describeProblem, HEALTH_CHECK_MS, watchForStall } from './run-health';
import { formatDuration } from './format';
import { printJsonRows } from './json-outcome';
import { previewRefusals, prunePreview, prunePreviewLines } from './prune-preview';
import { describeRunFailure } from './run-failure';
import { secondsAtBudget } from './run-estimate';
import { openTemporalSession } from './temporal-session';
import { type IngestFlags, type IngestRequest, cliSettings, validateIngest } from './validate-ingest';
import { resultThroughOutages, ServerUnreachableError } from './wait-result';

export type PlannedTest = TestPlan & { estimatedSeconds: number };

/**
 * `ut-media plan` and `ingest --dry-run`: what an ingestion would fetch and what it would cost,
 * from a `planTestResult` run per test (listing requests only, inside the cluster's budget).
 */
export async function runPlan(flags: IngestFlags & { json?: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const request = validateIngest(flags);
  const settings = cliSettings(env);
  if (!settings.temporalAddress) await checkDestination(request.dest);
  const session = await openTemporalSession(settings, (line) => process.stderr.write(`${line}\n`));
  try {
    const plans = await Promise.all(request.testIds.map((testId) => planOne(session.client, settings, request, testId, session.serverMayReturn)));
    return print(plans, settings.ratePerMinute, Boolean(flags.json), request.prune?.pruneMax);
  } finally {
    await session.close();
  }
}

async function planOne(client: Client, settings: Settings, request: IngestRequest, testId: string, serverMayReturn: () => boolean): Promise<PlannedTest> {
  const input: PlanTestResultInput = {
    testId,
    dest: request.dest,
    only: request.only,
    refreshDetails: request.refreshDetails,
    sessionIds: request.sessionIds,
    options: runOptionsFromSettings(settings),
  };
  const handle = await client.workflow.start('planTestResult', {
    taskQueue: settings.taskQueue,
    workflowId: `${testWorkflowId(testId).replace('-test-', '-plan-')}-${crypto.randomUUID().slice(0, 8)}`,
    args: [input],
    priority: { fairnessKey: testId },
    staticSummary: `plan test ${testId} into ${request.dest}`,
  });
  // Workers older than `plan` fail its workflow task for ever (no such workflow type): say so and stop it.
  const watch = watchForStall(client, handle, { everyMs: Math.min(settings.stallTimeoutMs, HEALTH_CHECK_MS), stallTimeoutMs: settings.stallTimeoutMs });
  const report = (line: string) => process.stderr.write(`ut-media: ${line}\n`);
  const result = resultThroughOutages(handle, { limitMs: settings.stallTimeoutMs, mayReturn: serverMayReturn, report }).catch((err: unknown) => {
    if (err instanceof ServerUnreachableError)
      throw new CliError(`plan of test ${testId}: ${err.message}; run it again once the server is back (a plan writes nothing)`, EXIT.failed);
    if (err instanceof WorkflowFailedError) {
      const failure = describeRunFailure(err);
      throw new CliError(`plan of test ${testId} failed: ${failure.cause}`, failure.code);
    }
    throw err;
  }) as Promise<TestPlan>;
  // Settled by the termination below when stuck; nobody waits for it then.
  result.catch(() => undefined);
  try {
    const outcome = await Promise.race([result.then((plan) => ({ plan })), watch.stalled.then((problem) => ({ problem }))]);
    if ('problem' in outcome) {
      await handle.terminate('ut-media plan: no progress').catch(() => undefined);
      throw new CliError(
        `plan of test ${testId} could not run: ${describeProblem(outcome.problem)}. ` +
          `Workers that predate \`plan\` cannot run it: upgrade them (the plan was stopped; it writes nothing)`,
        EXIT.failed,
      );
    }
    return { ...outcome.plan, estimatedSeconds: secondsAtBudget(outcome.plan.apiRequests, settings.ratePerMinute) };
  } finally {
    watch.stop();
  }
}

/** Prints the plans; with `pruneMax` (a dry run of `--prune`) also what the prune would do, exit 1 where it would be refused. */
function print(plans: PlannedTest[], ratePerMinute: number, json: boolean, pruneMax: string | number | undefined): number {
  const apiRequests = plans.reduce((n, p) => n + p.apiRequests, 0);
  const estimatedSeconds = secondsAtBudget(apiRequests, ratePerMinute);
  const previews = plans.map((p) => (pruneMax === undefined ? undefined : prunePreview(p, pruneMax)));
  const refusals = previews.map((preview) => (preview ? previewRefusals(preview) : []));
  const code = refusals.some((r) => r.length) ? EXIT.failed : EXIT.ok;
  if (json) {
    return printJsonRows(
      plans.map((p, i) => ({
        code: refusals[i].length ? EXIT.failed : EXIT.ok,
        error: refusals[i].join('; ') || undefined,
        body: { ...p, ratePerMinute, ...(previews[i] ? { prune: previews[i] } : {}) },
      })),
      { apiRequests, estimatedSeconds, ratePerMinute },
    );
  }
  const lines: string[] = [];
  for (const [i, p] of plans.entries()) {
    lines.push(`Test ${p.testId} into ${p.dest}: ${p.sessions} sessions`, '  kind          to fetch    stored  known absent');
    for (const kind of ASSET_KIND_LIST) {
      const k = p.kinds[kind];
      lines.push(
        `  ${SELECTION_OF_KIND[kind].padEnd(12)}${String(k.toFetch).padStart(10)}${String(k.stored).padStart(10)}${String(k.knownAbsent).padStart(14)}`,
      );
    }
    const r = p.requests;
    lines.push(
      `  API requests: ${p.apiRequests} (session pages ${r.sessionPages}, reel list ${r.reelList}, clip lists ${r.clipLists}, ` +
        `video links ${r.videoLinks}, transcripts ${r.transcripts}, session details ${r.sessionDetails}, QXscores ${r.qxScores}, ` +
        `generation checks ${r.generationChecks})`,
      `  about ${formatDuration(p.estimatedSeconds)} at ${ratePerMinute} requests/min; this plan spent ${p.listingRequestsSpent} listing requests`,
    );
    for (const list of WITHDRAWABLE_LISTS) {
      const w = p.withdrawn?.[list];
      if (!w) continue;
      if (!w.complete) lines.push(`  withdrawn ${list}: cannot tell (${w.incompleteReason})`);
      else if (w.count)
        lines.push(
          `  withdrawn ${list}: ${w.count} of ${w.archived} archived, ${w.objects} objects, ${(w.bytes / 1048576).toFixed(1)} MiB ` +
            `(ingest --prune removes them): ${w.ids.join(', ')}${w.idsTruncated ? ', ...' : ''}`,
        );
    }
    lines.push(...prunePreviewLines(previews[i] ?? {}));
  }
  if (plans.length > 1)
    lines.push(
      `All ${plans.length} tests: ${apiRequests} API requests, about ${formatDuration(estimatedSeconds)} at ${ratePerMinute} requests/min (one budget)`,
    );
  lines.push('Generation waits come on top where the last reels or clips are still generating; faults add retries.');
  process.stdout.write(`${lines.join('\n')}\n`);
  return code;
}
