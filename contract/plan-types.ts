import { ASSET_KIND_LIST, type AssetKind } from './asset-types';
import type { PlannedWithdrawals, WithdrawableList } from './withdrawals';

/** One kind in a plan: what a run would fetch, what is stored already, what the API is known to lack. */
export interface KindPlan {
  toFetch: number;
  stored: number;
  /** 404s recorded within the re-check age (per asset; per session for clip lists): no request. */
  knownAbsent: number;
}

/** The Results API requests a run would make, by purpose. */
export interface RequestPlan {
  sessionPages: number;
  reelList: number;
  clipLists: number;
  videoLinks: number;
  transcripts: number;
  /** One per session whose details are fetched. */
  sessionDetails: number;
  /** One for the test's QXscores, when fetched. */
  qxScores: number;
  /** Two per reel or clip to fetch: the request that starts its generation and the one that finds it done. */
  generationChecks: number;
}

/** What `planTestResult` returns: counts only, whatever the size of the test. */
export interface TestPlan {
  testId: string;
  dest: string;
  sessions: number;
  kinds: Record<AssetKind, KindPlan>;
  requests: RequestPlan;
  /** The requests the ingestion would spend without faults (the sum of `requests`). */
  apiRequests: number;
  /** Requests the plan itself spent: listings only. */
  listingRequestsSpent: number;
  /** Archived sessions and reels the listing no longer has: what `ingest --prune` would remove. Absent with `--session`. */
  withdrawn?: Partial<Record<WithdrawableList, PlannedWithdrawals>>;
}

export type PlanCounts = Pick<TestPlan, 'sessions' | 'kinds' | 'requests' | 'listingRequestsSpent'>;

export function emptyPlanCounts(): PlanCounts {
  const kinds = {} as TestPlan['kinds'];
  for (const kind of ASSET_KIND_LIST) kinds[kind] = { toFetch: 0, stored: 0, knownAbsent: 0 };
  return {
    sessions: 0,
    kinds,
    requests: { sessionPages: 0, reelList: 0, clipLists: 0, videoLinks: 0, transcripts: 0, sessionDetails: 0, qxScores: 0, generationChecks: 0 },
    listingRequestsSpent: 0,
  };
}

export function addPlanCounts(total: PlanCounts, part: PlanCounts): void {
  total.sessions += part.sessions;
  total.listingRequestsSpent += part.listingRequestsSpent;
  for (const kind of ASSET_KIND_LIST) {
    for (const field of ['toFetch', 'stored', 'knownAbsent'] as const) total.kinds[kind][field] += part.kinds[kind][field];
  }
  for (const key of Object.keys(total.requests) as Array<keyof RequestPlan>) total.requests[key] += part.requests[key];
}

export function totalRequests(requests: RequestPlan): number {
  return Object.values(requests).reduce((n, v) => n + v, 0);
}
