import { storageActivities } from './activity-proxies';
import type { IngestCursor, IngestTestResultParams } from '../contract/inputs';
import { pruneDecision, type ListWithdrawals, type WithdrawableList, type WithdrawalSummary } from '../contract/withdrawals';

/**
 * Members one `pruneWithdrawn` activity removes: the batches keep each activity short and each
 * payload small whatever the test's size (10,000 sessions at 25 % is 50 activities).
 */
const PRUNE_BATCH = 50;

/**
 * At the end of a run: marks the archived sessions (and reels) this run's listing no longer has, and
 * with `prune` removes them, in batches, if the listing was complete and they are within `pruneMax`.
 */
export async function reviewWithdrawals(
  params: IngestTestResultParams,
  cursor: IngestCursor & { listingId: string },
  lists: { sessions: boolean; reels: boolean },
  storage: ReturnType<typeof storageActivities>,
): Promise<WithdrawalSummary> {
  const { dest, testId } = params;
  const facts: Partial<Record<WithdrawableList, { listedInFull: boolean; reason?: string }>> = {};
  if (lists.sessions)
    facts.sessions =
      cursor.listingFailed || !cursor.listed ? { listedInFull: false, reason: 'the session list failed part-way in this run' } : { listedInFull: true };
  if (lists.reels) facts.reels = cursor.reelsDone ? { listedInFull: true } : { listedInFull: false, reason: 'the reels workflow did not report' };
  const reviews = await storage.reviewWithdrawals.executeWithOptions({ summary: 'look for archived sessions and reels the API no longer lists' }, [
    { dest, testId, listingId: cursor.listingId, lists: facts },
  ]);
  const summary: WithdrawalSummary = {};
  for (const list of ['sessions', 'reels'] as const) {
    const review = reviews[list];
    if (!review) continue;
    const entry: ListWithdrawals = { ...review, pruned: 0, prunedObjects: 0, prunedBytes: 0 };
    summary[list] = entry;
    if (!params.prune || review.withdrawn === 0) continue;
    const decision = pruneDecision(review, params.pruneMax, list);
    if (!decision.prune) {
      entry.pruneRefused = decision.refused;
      continue;
    }
    for (;;) {
      const batch = await storage.pruneWithdrawn.executeWithOptions({ summary: `prune withdrawn ${list}` }, [{ dest, testId, list, limit: PRUNE_BATCH }]);
      entry.pruned += batch.pruned;
      entry.prunedObjects += batch.objects;
      entry.prunedBytes += batch.bytes;
      if (batch.pruned === 0 || batch.remaining === 0) break;
    }
    entry.withdrawn -= entry.pruned;
    entry.archived -= entry.pruned;
  }
  await storage.discardListings({ dest, testId });
  return summary;
}
