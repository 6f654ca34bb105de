import {
  fullFieldsPath,
  listingFolder,
  listingPagePath,
  listingsPrefix,
  recordPath,
  reelPath,
  sessionPrefix,
  sessionRecordsPrefix,
  tombstonePath,
  withdrawalMarkPath,
  withdrawalMarksPrefix,
} from '../contract/asset-paths';
import { listingCompleteness, WITHDRAWABLE_LISTS, type ArchivedMember, type ListedPage, type ListReview, type WithdrawableList } from '../contract/withdrawals';
import type { Destination, StoredObject } from '../storage';
import { heartbeatingActivities } from './activity-context';
import { archivedMembers, readJsonObject, type MemberHoldings } from './archived-members';
import type { ActivityDeps } from './deps';
import { withFailureMapping } from './failures';

/** What the workflow knows of one list's reading in this run. */
export interface ListingFacts {
  /** Every page was read without a failure (the workflow's own account). */
  listedInFull: boolean;
  /** Why not, when not. */
  reason?: string;
}

/** What one call of `pruneWithdrawn` removed. */
export interface PruneBatch {
  pruned: number;
  objects: number;
  bytes: number;
  /** Withdrawn members still to prune after this batch. */
  remaining: number;
}

/** Body of a tombstone: the member, when it was first missed and pruned, and every object removed. */
interface Tombstone {
  list: WithdrawableList;
  id: string;
  testId: string;
  firstMissedAt: string;
  prunedAt: string;
  removed: string[];
  objects: number;
  bytes: number;
  removedKinds: Record<string, number>;
}

/**
 * Activities behind withdrawals: keeping what a run listed, marking archived members the listing no
 * longer has (and unmarking those it has again), and removing a withdrawn member's objects behind a
 * tombstone. Destination-only, on the main task queue.
 */
export function createWithdrawalActivities(deps: ActivityDeps) {
  const now = () => deps.now?.() ?? new Date();
  return heartbeatingActivities({
    /** One page of the session list (or the reel list) as this run read it; rewriting it is harmless. */
    async recordListedPage(input: { dest: string; testId: string; listingId: string } & ListedPage): Promise<void> {
      return withFailureMapping(async () => {
        const destination = deps.openDestination(input.dest);
        const page: ListedPage = { list: input.list, offset: input.offset, totalCount: input.totalCount, ids: input.ids.map((id) => id.toLowerCase()) };
        await destination.writeSmallObject(listingPagePath(input.testId, input.listingId, input.list, input.offset), `${JSON.stringify(page)}\n`, {
          contentType: 'application/json',
          metadata: { utMediaListing: '1' },
        });
      });
    },

    /**
     * Compares what this run listed with what the archive holds. A member listed again loses its mark
     * (it is archived as usual); after a complete listing, an archived member it lacks is marked
     * withdrawn, keeping the time it was first missed. Counts only come back.
     */
    async reviewWithdrawals(input: {
      dest: string;
      testId: string;
      listingId: string;
      lists: Partial<Record<WithdrawableList, ListingFacts>>;
    }): Promise<Partial<Record<WithdrawableList, ListReview>>> {
      return withFailureMapping(async () => {
        const destination = deps.openDestination(input.dest);
        const archived = await archivedMembers(destination, input.testId);
        // One listing of this run's records serves both lists.
        const records = await destination.list(listingFolder(input.testId, input.listingId));
        const checkedAt = now().toISOString();
        const reviews: Partial<Record<WithdrawableList, ListReview>> = {};
        for (const list of WITHDRAWABLE_LISTS) {
          const facts = input.lists[list];
          if (facts) reviews[list] = await reviewList(destination, input.testId, records, list, facts, archived[list], checkedAt);
        }
        return reviews;
      });
    },

    /** Removes the objects of up to `limit` withdrawn members, each behind its tombstone, then their marks. */
    async pruneWithdrawn(input: { dest: string; testId: string; list: WithdrawableList; limit: number }): Promise<PruneBatch> {
      return withFailureMapping(async () => {
        const destination = deps.openDestination(input.dest);
        const marks = await withdrawalMarks(destination, input.testId, input.list);
        const batch = [...marks].slice(0, input.limit);
        const done: PruneBatch = { pruned: 0, objects: 0, bytes: 0, remaining: marks.size - batch.length };
        for (const [id, firstMissedAt] of batch) {
          const removed = await pruneMember(destination, input.testId, input.list, id, firstMissedAt, now().toISOString());
          done.pruned += 1;
          done.objects += removed.objects;
          done.bytes += removed.bytes;
        }
        return done;
      });
    },

    /** Removes what runs of this test listed (this run's, and any an interrupted run left). */
    async discardListings(input: { dest: string; testId: string }): Promise<void> {
      return withFailureMapping(async () => {
        const destination = deps.openDestination(input.dest);
        for (const object of await destination.list(listingsPrefix(input.testId))) await destination.remove(object.relativePath);
      });
    },

    /** A page of the archived sessions (or reels), by id, from the manifest: for the plan, which writes nothing. */
    async findArchived(input: {
      dest: string;
      testId: string;
      list: WithdrawableList;
      after?: string;
      limit: number;
    }): Promise<{ members: ArchivedMember[]; more: boolean }> {
      return withFailureMapping(async () => {
        const destination = deps.openDestination(input.dest);
        const archived = (await archivedMembers(destination, input.testId))[input.list];
        const ids = [...archived.keys()].sort().filter((id) => input.after === undefined || id > input.after);
        const members = ids.slice(0, input.limit).map((id) => ({ id, ...archived.get(id)! }));
        return { members, more: ids.length > input.limit };
      });
    },
  });
}

async function reviewList(
  destination: Destination,
  testId: string,
  records: StoredObject[],
  list: WithdrawableList,
  facts: ListingFacts,
  archived: Map<string, MemberHoldings>,
  checkedAt: string,
): Promise<ListReview> {
  const pages = await listedPages(destination, records, list);
  const listed = new Set(pages.flatMap((p) => p.ids));
  const marks = await withdrawalMarks(destination, testId, list);
  for (const id of [...marks.keys()].filter((id) => listed.has(id))) {
    await destination.remove(withdrawalMarkPath(testId, list, id));
    marks.delete(id);
  }
  const verdict = facts.listedInFull ? listingCompleteness(pages, list) : { complete: false, reason: facts.reason ?? `the ${list} list was not read in full` };
  if (verdict.complete) {
    for (const id of archived.keys()) {
      if (listed.has(id) || marks.has(id)) continue;
      await writeMark(destination, testId, list, id, checkedAt);
      marks.set(id, checkedAt);
    }
  }
  const review: ListReview = {
    complete: verdict.complete,
    archived: new Set([...archived.keys(), ...marks.keys()]).size,
    withdrawn: marks.size,
    objects: 0,
    bytes: 0,
  };
  if (verdict.reason) review.incompleteReason = verdict.reason;
  for (const id of marks.keys()) {
    review.objects += archived.get(id)?.objects ?? 0;
    review.bytes += archived.get(id)?.bytes ?? 0;
  }
  return review;
}

/** The pages of `list` among a run's listing records. */
async function listedPages(destination: Destination, records: StoredObject[], list: WithdrawableList): Promise<ListedPage[]> {
  const pages: ListedPage[] = [];
  for (const object of records) {
    if (!object.relativePath.split('/').pop()!.startsWith(`${list}-`)) continue;
    const page = await readJsonObject<ListedPage>(destination, object.relativePath);
    if (page && Array.isArray(page.ids)) pages.push(page);
  }
  return pages;
}

/** Member id → when it was first missed, from the marks' own metadata (one listing). */
async function withdrawalMarks(destination: Destination, testId: string, list: WithdrawableList): Promise<Map<string, string>> {
  const marks = new Map<string, string>();
  for (const object of await destination.list(withdrawalMarksPrefix(testId, list))) {
    const { utMediaWithdrawal, id, firstMissedAt } = object.metadata;
    if (utMediaWithdrawal === '1' && id) marks.set(id, firstMissedAt ?? '');
  }
  return marks;
}

async function writeMark(destination: Destination, testId: string, list: WithdrawableList, id: string, firstMissedAt: string): Promise<void> {
  const mark = { list, id, testId, firstMissedAt };
  await destination.writeSmallObject(withdrawalMarkPath(testId, list, id), `${JSON.stringify(mark)}\n`, {
    contentType: 'application/json',
    metadata: { utMediaWithdrawal: '1', ...mark },
  });
}

/** The objects one member holds: a session's folder and its records; a reel's object, its record and its cut fields. */
async function memberObjects(destination: Destination, testId: string, list: WithdrawableList, id: string): Promise<StoredObject[]> {
  if (list === 'sessions') return [...(await destination.list(sessionPrefix(testId, id))), ...(await destination.list(sessionRecordsPrefix(testId, id)))];
  const identity = { kind: 'reel' as const, testId, reelId: id };
  const found = await Promise.all([reelPath(testId, id), recordPath(identity), fullFieldsPath(identity)].map((path) => destination.stat(path)));
  return found.filter((o): o is StoredObject => o !== undefined);
}

/**
 * The tombstone is written first, naming every object about to go (merged with one an interrupted
 * attempt wrote), then the objects are removed, then the mark: a retry finds the mark and finishes.
 */
async function pruneMember(
  destination: Destination,
  testId: string,
  list: WithdrawableList,
  id: string,
  firstMissedAt: string,
  prunedAt: string,
): Promise<{ objects: number; bytes: number }> {
  const objects = await memberObjects(destination, testId, list, id);
  const path = tombstonePath(testId, list, id);
  const earlier = await readJsonObject<Tombstone>(destination, path);
  const removed = new Set(earlier?.removed ?? []);
  const removedKinds: Record<string, number> = { ...(earlier?.removedKinds ?? {}) };
  let bytes = earlier?.bytes ?? 0;
  for (const object of objects) {
    if (removed.has(object.relativePath)) continue;
    removed.add(object.relativePath);
    bytes += object.bytes;
    const kind = object.metadata.utMediaRecord === '1' ? 'record' : object.metadata.utMediaFields === '1' ? 'fields' : (object.metadata.kind ?? 'other');
    removedKinds[kind] = (removedKinds[kind] ?? 0) + 1;
  }
  const tombstone: Tombstone = {
    list,
    id,
    testId,
    firstMissedAt,
    prunedAt: earlier?.prunedAt ?? prunedAt,
    removed: [...removed].sort(),
    objects: removed.size,
    bytes,
    removedKinds,
  };
  await destination.writeSmallObject(path, `${JSON.stringify(tombstone)}\n`, {
    contentType: 'application/json',
    metadata: {
      utMediaTombstone: '1',
      list,
      id,
      firstMissedAt,
      prunedAt: tombstone.prunedAt,
      objects: tombstone.objects,
      bytes: tombstone.bytes,
      removedKinds: JSON.stringify(removedKinds),
    },
  });
  for (const object of objects) await destination.remove(object.relativePath);
  await destination.remove(withdrawalMarkPath(testId, list, id));
  return { objects: objects.length, bytes: objects.reduce((n, o) => n + o.bytes, 0) };
}
