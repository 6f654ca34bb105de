/**
 * Withdrawals: archived sessions (and reels) that a complete listing of their test no longer
 * returns. Shared by the workflows (which decide), the activities (which mark and prune) and the CLI.
 */

/** The lists whose archived members can be withdrawn. */
export type WithdrawableList = 'sessions' | 'reels';
export const WITHDRAWABLE_LISTS: readonly WithdrawableList[] = ['sessions', 'reels'];

/** How many withdrawn members one run may prune: a share of the archived ones, or a count. */
export type PruneLimit = { percent: number } | { count: number };

/** `"25%"`, `"2.5%"`, `"40"` or `40`; undefined when it is neither. */
export function parsePruneLimit(value: string | number): PruneLimit | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? { count: value } : undefined;
  const text = value.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (percent) {
    const share = Number(percent[1]);
    return share <= 100 ? { percent: share } : undefined;
  }
  return /^\d+$/.test(text) ? { count: Number(text) } : undefined;
}

export function describePruneLimit(limit: PruneLimit): string {
  return String(pruneLimitInput(limit));
}

/** What `reviewWithdrawals` found for one list, in counts (ids stay at the destination). */
export interface ListReview {
  /** This run listed the whole list (every page, counts consistent): only then is anything newly withdrawn. */
  complete: boolean;
  /** Why the listing does not count as complete. */
  incompleteReason?: string;
  /** Members the archive holds (withdrawn ones included). */
  archived: number;
  /** Archived members marked withdrawn after this review. */
  withdrawn: number;
  /** Objects and bytes the withdrawn members hold, as the manifest last recorded them. */
  objects: number;
  bytes: number;
}

/** One list's withdrawals in a run's summary. */
export interface ListWithdrawals extends ListReview {
  /** Withdrawn members whose objects this run removed (each has a tombstone in the manifest). */
  pruned: number;
  prunedObjects: number;
  prunedBytes: number;
  /** `--prune` was given but nothing was pruned, and why (the run exits 1). */
  pruneRefused?: string;
}

export type WithdrawalSummary = Partial<Record<WithdrawableList, ListWithdrawals>>;

/** What the plan reports for one list. */
export interface PlannedWithdrawals {
  complete: boolean;
  incompleteReason?: string;
  archived: number;
  count: number;
  /** The withdrawn ids, sorted; the first MAX_PLANNED_WITHDRAWN_IDS only (`idsTruncated`). */
  ids: string[];
  idsTruncated?: boolean;
  objects: number;
  bytes: number;
}
export const MAX_PLANNED_WITHDRAWN_IDS = 1000;

/** One archived member as the manifest records it, for the plan. */
export interface ArchivedMember {
  id: string;
  objects: number;
  bytes: number;
}

/** One page of a list as a run read it (kept at the destination until the run has reviewed its withdrawals). */
export interface ListedPage {
  list: WithdrawableList;
  offset: number;
  totalCount: number;
  ids: string[];
}

/**
 * Whether the pages read add up to the whole list: contiguous from offset 0, one total throughout,
 * as many distinct ids as that total. A list that shifted while it was paged fails one of these.
 */
export function listingCompleteness(pages: Array<Omit<ListedPage, 'list'>>, list: WithdrawableList): { complete: boolean; reason?: string } {
  if (!pages.length) return { complete: false, reason: `this run kept no page of the ${list} list (the list failed, or the run started before withdrawals)` };
  const totals = new Set(pages.map((p) => p.totalCount));
  if (totals.size > 1) return { complete: false, reason: `the ${list} list changed while it was read (totals ${[...totals].join(', ')})` };
  const total = pages[0].totalCount;
  let expected = 0;
  for (const page of [...pages].sort((a, b) => a.offset - b.offset)) {
    if (page.offset !== expected) return { complete: false, reason: `the ${list} list has a gap or an overlap at offset ${expected}` };
    expected += page.ids.length;
  }
  if (expected !== total) return { complete: false, reason: `the ${list} list gave ${expected} entries for a total of ${total}` };
  const distinct = new Set(pages.flatMap((p) => p.ids)).size;
  if (distinct !== total) return { complete: false, reason: `the ${list} list gave ${distinct} distinct ids for a total of ${total}` };
  return { complete: true };
}

const MEMBER: Record<WithdrawableList, string> = { sessions: 'sessions', reels: 'highlight reels' };

/**
 * Whether a run asked to prune may remove the withdrawn members of a list: only after this run listed
 * it completely, and only up to the limit; otherwise nothing, with the reason (the run exits 1).
 */
export function pruneDecision(review: ListReview, limit: PruneLimit, list: WithdrawableList): { prune: true } | { prune: false; refused: string } {
  if (!review.complete)
    return {
      prune: false,
      refused: `nothing pruned: ${review.incompleteReason ?? `the ${list} list was not read in full`}; only a complete listing can show a withdrawal`,
    };
  const allowed = 'percent' in limit ? Math.floor((review.archived * limit.percent) / 100) : limit.count;
  if (review.withdrawn <= allowed) return { prune: true };
  return {
    prune: false,
    refused:
      `nothing pruned: ${review.withdrawn} of ${review.archived} archived ${MEMBER[list]} are withdrawn, more than --prune-max ${describePruneLimit(limit)} ` +
      `(${allowed}) allows; a listing that lost ${MEMBER[list]} looks the same. Check them with \`ut-media plan\`, then rerun with a higher --prune-max`,
  };
}

/** The reasons a run's pruning was refused (each makes the run exit 1). */
export function pruneRefusals(withdrawals: WithdrawalSummary | undefined): string[] {
  return WITHDRAWABLE_LISTS.map((list) => withdrawals?.[list]?.pruneRefused).filter((r): r is string => typeof r === 'string');
}

/** A parsed limit as a workflow input spells it again (`"25%"` or a count). */
export function pruneLimitInput(limit: PruneLimit): string | number {
  return 'percent' in limit ? `${limit.percent}%` : limit.count;
}
