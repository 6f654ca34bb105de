import { executeChild, patched, workflowInfo } from '@temporalio/workflow';
import { apiActivities, storageActivities } from './activity-proxies';
import { clipPath, detailsPath, recordKey, reelPath, transcriptPath, videoPath } from '../contract/asset-paths';
import { forEachBounded } from './bounded-pool';
import { ingestTestResultFields, runOptionsSchema, sessionsNeeded, type AssetSelection, type RunOptions } from '../contract/inputs';
import { parseInput } from './parse-input';
import { addPlanCounts, emptyPlanCounts, totalRequests, type PlanCounts, type TestPlan } from '../contract/plan-types';
import { z } from 'zod';
import { pageStep, sessionPageLimit } from './session-paging';
import { decideQxScore } from './qxscore-decision';
import { listingCompleteness, MAX_PLANNED_WITHDRAWN_IDS, type PlannedWithdrawals, type WithdrawableList } from '../contract/withdrawals';

/** Archived members one `findArchived` call returns. */
const ARCHIVED_PAGE = 1000;

export const planTestResultInputSchema = ingestTestResultFields.omit({ cursor: true });
export type PlanTestResultInput = z.input<typeof planTestResultInputSchema>;

/**
 * What `ingestTestResult` would do with the same input, without doing it: per kind what it would
 * fetch, what is stored and what is known absent, and the API requests it would spend. Spends only
 * listing requests (session pages, the reel list, one clip list per session), on the API queue and
 * its budget like any run; writes nothing. Each page of sessions is planned by a child, so the
 * history stays bounded.
 */
export async function planTestResult(input: PlanTestResultInput): Promise<TestPlan> {
  const params = parseInput(planTestResultInputSchema, input, 'planTestResult');
  const { testId, dest, options } = params;
  const wants = new Set(params.only);
  const api = apiActivities(options);
  const storage = storageActivities(options);
  const plan = emptyPlanCounts();
  // What the listing shows, to find withdrawn sessions: the ids are in this history already (a plan does not continue as new).
  const listings: Partial<Record<WithdrawableList, Array<{ offset: number; totalCount: number; ids: string[] }> | null>> = {};
  const seesWithdrawals = !params.sessionIds && patched('withdrawals');

  const testLevel = await storage.findStoredAssets({ dest, testId, absentRecheckMs: options.absentRecheckMs });
  if (wants.has('reels')) {
    plan.requests.reelList += 1;
    plan.listingRequestsSpent += 1;
    const listing = await api.listing.listReels({ testId });
    listings.reels = listing.found ? [{ offset: 0, totalCount: listing.reels.length, ids: listing.reels.map((r) => r.uuid.toLowerCase()) }] : null;
    for (const reel of listing.found ? listing.reels : []) {
      const stored = testLevel.stored[reelPath(testId, reel.uuid)];
      if (stored && stored.lastUpdatedAtMs === reel.lastUpdatedAtMs) plan.kinds.reel.stored += 1;
      else {
        plan.kinds.reel.toFetch += 1;
        plan.requests.generationChecks += 2;
      }
    }
  }

  let sessionsListed: number | undefined;
  if (sessionsNeeded(params.only)) {
    const wanted = params.sessionIds ? new Set(params.sessionIds) : undefined;
    let offset = 0;
    const pages: Array<{ offset: number; totalCount: number; ids: string[] }> = [];
    listings.sessions = pages;
    for (;;) {
      const page = await api.listing.listSessionsPage({ testId, offset, limit: sessionPageLimit(options.sessionsPerRun) });
      plan.requests.sessionPages += 1;
      plan.listingRequestsSpent += 1;
      sessionsListed = page.totalCount;
      // The pages the ingestion reads: to the list's end, or until it stops advancing (whose page the
      // ingestion drops) or passes the API's offset cap (whose page it still ingests).
      const step = pageStep(offset, page);
      if (!step.advanced) {
        listings.sessions = null;
        break;
      }
      pages.push({ offset: page.offset, totalCount: page.totalCount, ids: page.sessions.map((s) => s.sessionId.toLowerCase()) });
      if (step.capped) listings.sessions = null;
      const sessionIds = Array.from(new Set(page.sessions.map((s) => s.sessionId.toLowerCase()))).filter((id) => !wanted || wanted.has(id));
      if (sessionIds.length) {
        const part = await executeChild(planSessions, {
          workflowId: `${workflowInfo().workflowId}-page-${page.offset}`,
          args: [{ testId, dest, only: params.only, refreshDetails: params.refreshDetails, options, sessionIds }],
        });
        addPlanCounts(plan, part);
      }
      if (step.last || step.capped) break;
      offset = step.next;
    }
  }
  if (wants.has('qxscore')) {
    const known = await storage.findStoredQxScore({ dest, testId, absentRecheckMs: options.absentRecheckMs });
    const step = decideQxScore(known, sessionsListed, params.refreshDetails === true);
    if (step === 'stored') plan.kinds.qxscore.stored += 1;
    else if (step === 'knownAbsent') plan.kinds.qxscore.knownAbsent += 1;
    else {
      plan.kinds.qxscore.toFetch += 1;
      plan.requests.qxScores += 1;
    }
  }
  const withdrawn = seesWithdrawals ? await planWithdrawals(dest, testId, listings, storage) : undefined;
  return { testId, dest, ...plan, apiRequests: totalRequests(plan.requests), ...(withdrawn ? { withdrawn } : {}) };
}

/** Archived members the listing lacks, from the manifest a page at a time; a listing not read in full shows none. */
async function planWithdrawals(
  dest: string,
  testId: string,
  listings: Partial<Record<WithdrawableList, Array<{ offset: number; totalCount: number; ids: string[] }> | null>>,
  storage: ReturnType<typeof storageActivities>,
): Promise<Partial<Record<WithdrawableList, PlannedWithdrawals>>> {
  const planned: Partial<Record<WithdrawableList, PlannedWithdrawals>> = {};
  for (const list of ['sessions', 'reels'] as const) {
    const pages = listings[list];
    if (pages === undefined) continue;
    const verdict = pages ? listingCompleteness(pages, list) : { complete: false, reason: `the ${list} list could not be read in full` };
    const entry: PlannedWithdrawals = { complete: verdict.complete, archived: 0, count: 0, ids: [], objects: 0, bytes: 0 };
    if (verdict.reason) entry.incompleteReason = verdict.reason;
    planned[list] = entry;
    const listed = new Set((pages ?? []).flatMap((p) => p.ids));
    let after: string | undefined;
    for (;;) {
      const found = await storage.findArchived({ dest, testId, list, limit: ARCHIVED_PAGE, ...(after ? { after } : {}) });
      entry.archived += found.members.length;
      for (const member of found.members) {
        if (!verdict.complete || listed.has(member.id)) continue;
        entry.count += 1;
        entry.objects += member.objects;
        entry.bytes += member.bytes;
        if (entry.ids.length < MAX_PLANNED_WITHDRAWN_IDS) entry.ids.push(member.id);
        else entry.idsTruncated = true;
      }
      if (!found.more || !found.members.length) break;
      after = found.members[found.members.length - 1].id;
    }
  }
  return planned;
}

/** One page of sessions: their stored state, and their clip lists (one listing request each). */
export async function planSessions(input: {
  testId: string;
  dest: string;
  only: AssetSelection[];
  refreshDetails?: boolean;
  options: Partial<RunOptions>;
  sessionIds: string[];
}): Promise<PlanCounts> {
  const { testId, dest } = input;
  const options = runOptionsSchema.parse(input.options);
  const wants = new Set(input.only);
  const api = apiActivities(options);
  const storage = storageActivities(options);
  const plan = emptyPlanCounts();
  await forEachBounded(input.sessionIds, options.maxSessionsInFlight, async (sessionId) => {
    plan.sessions += 1;
    const { stored, knownAbsent } = await storage.findStoredAssets({ dest, testId, sessionId, absentRecheckMs: options.absentRecheckMs });
    const absent = new Set(knownAbsent);
    const sessionAsset = (
      kind: 'video' | 'transcript' | 'details',
      path: string,
      request: 'videoLinks' | 'transcripts' | 'sessionDetails',
      askAgain = false,
    ) => {
      if (stored[path] && !askAgain) plan.kinds[kind].stored += 1;
      else if (absent.has(recordKey({ kind }))) plan.kinds[kind].knownAbsent += 1;
      else {
        plan.kinds[kind].toFetch += 1;
        plan.requests[request] += 1;
      }
    };
    if (wants.has('videos')) sessionAsset('video', videoPath(testId, sessionId), 'videoLinks');
    if (wants.has('transcripts')) sessionAsset('transcript', transcriptPath(testId, sessionId), 'transcripts');
    if (wants.has('details')) sessionAsset('details', detailsPath(testId, sessionId), 'sessionDetails', input.refreshDetails === true);
    if (!wants.has('clips')) return;
    if (absent.has(recordKey({ kind: 'clip' }))) {
      plan.kinds.clip.knownAbsent += 1;
      return;
    }
    plan.requests.clipLists += 1;
    plan.listingRequestsSpent += 1;
    const listing = await api.listing.listClips({ dest, testId, sessionId, readOnly: true });
    for (const clip of listing.found ? listing.clips : []) {
      if (stored[clipPath(testId, sessionId, clip.uuid)]) plan.kinds.clip.stored += 1;
      else {
        plan.kinds.clip.toFetch += 1;
        plan.requests.generationChecks += 2;
      }
    }
  });
  return plan;
}
