import { defineSignal, getExternalWorkflowHandle, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { apiActivities, storageActivities } from './activity-proxies';
import { recordKey, reelPath } from '../contract/asset-paths';
import type { AssetOutcome, RunTally } from '../contract/asset-types';
import { failureReason } from './failure-reason';
import { pollGeneration } from './generation-poll';
import { counted } from './api-request-count';
import { runOptionsSchema, type RunOptions } from '../contract/inputs';
import { progressQuery } from '../contract/progress-query';
import { ProgressTracker } from './progress';
import { addOutcome, emptyTally } from './run-tally';
import { TEST_ID_SEARCH_ATTRIBUTE } from '../contract/search-attributes';

/** Sent by `ingestReels` to the workflow that started it (by workflow id, so it reaches its latest run). */
export const reelsDoneSignal = defineSignal<[{ dest: string; tally: RunTally }]>('reelsDone');

export interface IngestReelsInput {
  testId: string;
  dest: string;
  options?: Partial<RunOptions>;
  /** Workflow id to signal `reelsDone` with the tally when finished. */
  notify?: string;
  /** Where the parent keeps what its run listed: the reel list goes there too, for finding withdrawn reels. */
  listingId?: string;
}

/**
 * A test's highlight reels, apart from the sessions: the parent continues as new over batches of
 * sessions while reels generate, and learns the outcome by signal. Workflow id `<parent id>-reels-<dest tag>`.
 */
export async function ingestReels(input: IngestReelsInput): Promise<RunTally> {
  const { testId, dest } = input;
  const options = runOptionsSchema.parse(input.options ?? {});
  upsertSearchAttributes([{ key: TEST_ID_SEARCH_ATTRIBUTE, value: testId }]);
  const progress = new ProgressTracker(testId);
  const tally = emptyTally();
  setHandler(progressQuery, () => ({ ...progress.snapshot, apiRequests: tally.apiRequests }));
  try {
    await ingestAllReels(input, options, progress, tally);
  } catch (err) {
    addOutcome(tally, { kind: 'reel', testId, status: 'failed', reason: `reels: ${failureReason(err)}`, downloaded: false });
  } finally {
    if (input.notify)
      await getExternalWorkflowHandle(input.notify)
        .signal(reelsDoneSignal, { dest, tally })
        .catch(() => undefined);
  }
  progress.snapshot.phase = 'done';
  return tally;
}

async function ingestAllReels(input: IngestReelsInput, options: RunOptions, progress: ProgressTracker, tally: RunTally): Promise<void> {
  const { testId, dest } = input;
  const api = apiActivities(options);
  const storage = storageActivities(options);
  const decided: AssetOutcome[] = [];
  const finish = (outcome: AssetOutcome, from?: 'pending' | 'generating') => {
    progress.finish(outcome, from);
    addOutcome(tally, outcome);
    if (outcome.status === 'failed') decided.push(outcome);
  };
  const known = await storage.findStoredAssets({ dest, testId, absentRecheckMs: options.absentRecheckMs });
  const recorded = new Set(known.recorded);
  progress.snapshot.phase = 'ingesting';
  let listing;
  try {
    listing = await counted(
      () => api.listing.listReels.executeWithOptions({ summary: 'list highlight reels' }, [{ testId }]),
      (n) => (tally.apiRequests += n),
    );
  } catch (err) {
    finish({ kind: 'reel', list: 'reels', testId, status: 'failed', reason: `reel list: ${failureReason(err)}`, downloaded: false }, undefined);
  }
  const settled = listing && recorded.has(recordKey({ kind: 'reel' })) ? [{ kind: 'reel' as const, testId }] : [];
  if (listing?.found && input.listingId && patched('withdrawals')) {
    const ids = listing.reels.map((reel) => reel.uuid);
    await storage.recordListedPage.executeWithOptions({ summary: 'keep the ids of the reel list' }, [
      { dest, testId, listingId: input.listingId, list: 'reels', offset: 0, totalCount: ids.length, ids },
    ]);
  }
  if (listing?.found) {
    await Promise.all(
      listing.reels.map(async (reel) => {
        const previous = known.stored[reelPath(testId, reel.uuid)];
        if (previous && previous.lastUpdatedAtMs === reel.lastUpdatedAtMs) {
          finish({ kind: 'reel', testId, reelId: reel.uuid, status: 'stored', downloaded: false }, undefined);
          return;
        }
        progress.move('reel', undefined, 'pending');
        let state: 'pending' | 'generating' = 'pending';
        const outcome = await pollGeneration(
          { kind: 'reel', dest, testId, reel, hadRecord: recorded.has(recordKey({ kind: 'reel', reelId: reel.uuid })) },
          options,
          () => {
            if (state === 'pending') progress.move('reel', 'pending', 'generating');
            state = 'generating';
          },
          (n) => (tally.apiRequests += n),
        );
        finish(outcome, state);
      }),
    );
  }
  if (decided.length || settled.length) await storage.recordOutcomes({ dest, write: decided, remove: settled });
}
