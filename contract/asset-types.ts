/** Shapes shared by workflows and activities (plain JSON; nothing secret ever goes in them). */
import type { WithdrawalSummary } from './withdrawals';
/** Media (reel, clip, video, transcript) and the context analysts join it with: session details (v3) and the test's QXscores. */
export type AssetKind = 'reel' | 'clip' | 'video' | 'transcript' | 'details' | 'qxscore';
export const ASSET_KIND_LIST: AssetKind[] = ['reel', 'clip', 'video', 'transcript', 'details', 'qxscore'];
export const isAssetKind = (value: unknown): value is AssetKind => (ASSET_KIND_LIST as unknown[]).includes(value);

export type AssetStatus = 'stored' | 'skipped' | 'failed';

/** A list the API is asked for: a test's sessions or reels, a session's clips. */
export type ListName = 'sessions' | 'reels' | 'clips';

/** Which asset; a record about a whole list (reels of a test, clips of a session) has no asset id. */
export interface AssetIdentity {
  kind: AssetKind;
  testId: string;
  sessionId?: string;
  reelId?: string;
  clipId?: string;
}

/**
 * What happened to one asset in this run: it lives only inside one workflow step and is folded into
 * a RunTally at once. Skipped and failed assets also have a record at the destination.
 */
export interface AssetOutcome {
  kind: AssetKind;
  testId: string;
  sessionId?: string;
  reelId?: string;
  clipId?: string;
  status: AssetStatus;
  reason?: string;
  /** True when bytes were transferred in this run (false: already stored). */
  downloaded: boolean;
  bytes?: number;
  /** The API answered 404: the asset does not exist for this session's product type. */
  notFound?: boolean;
  /** Source fields for the record of a failure the workflow decided (name, lastUpdatedAtMs...). */
  source?: Record<string, string | number | boolean | null>;
  /** Generation checks a child `awaitGeneration` made for this asset (they count against the budget). */
  generationChecks?: number;
  /** Set on the failure of a whole listing: counted as a failed list of its test or session, not as an asset of `kind`. */
  list?: ListName;
}

/** Answer of a reel/clip detail activity: still generating, failed this attempt, or finished. */
/** `checkAgainInMs`: when the worker expects the generation to be done (learned), if it has an idea. */
export type GenerationCheck = { state: 'generating'; checkAgainInMs?: number } | { state: 'error' } | { state: 'done'; outcome: AssetOutcome };

export type ProgressState = 'pending' | 'generating' | 'stored' | 'skipped' | 'failed';
/** Counts of one kind with nothing in any state. */
export const noProgress = (): Record<ProgressState, number> => ({ pending: 0, generating: 0, stored: 0, skipped: 0, failed: 0 });

export interface ProgressSnapshot {
  testId: string;
  sessionId?: string;
  phase: 'listing' | 'ingesting' | 'writing-manifest' | 'done';
  sessions: { total: number; done: number };
  assets: Record<AssetKind, Record<ProgressState, number>>;
  bytesDownloaded: number;
  /** Parent only: runs so far (it continues as new over batches of sessions). */
  runs?: number;
  /** Parent only: the reels child has reported. */
  reelsDone?: boolean;
  /** Parent only: session children running now. */
  sessionsInFlight?: number;
  /** Results API requests made so far (parent: the pages, finished sessions, and the reels once reported). */
  apiRequests?: number;
  /** Parent only: of those, the requests of finished sessions (what a session costs, for the ETA). */
  sessionApiRequests?: number;
  /** Listings that failed (sessions or reels of the test, clips of a session). */
  listsFailed?: number;
}

export type AssetCounts = Record<AssetKind, Record<AssetStatus, number>>;
export interface FailureSample {
  kind: AssetKind;
  /** The failure is of this list (of the test, or of the session for clips), not of one asset. */
  list?: ListName;
  id: string;
  reason: string;
}

/** What a run did, in counts: its size does not grow with the test (failures keep a few examples). */
export interface RunTally {
  counts: AssetCounts;
  downloaded: number;
  bytesDownloaded: number;
  /**
   * Failed assets in all. Each has a record at the destination and a line in the manifest, except a
   * `--session` id the test does not have and a reels workflow that never reported (summary only).
   */
  failed: number;
  /** The first few failures, as examples; the manifest lists every one. */
  failures: FailureSample[];
  /** Results API requests sent, retries included (a retry on another worker than the attempt before it cannot count that attempt's). */
  apiRequests: number;
  /** Listings that failed (also in `failed`; not in `counts`). Absent in tallies of older runs. */
  listsFailed?: number;
}

export interface SessionResult extends RunTally {
  sessionId: string;
}

export interface IngestSummary extends RunTally {
  testId: string;
  /** Archived sessions and reels the API no longer lists, and what `prune` did with them. Absent when the run could not tell. */
  withdrawals?: WithdrawalSummary;
  dest: string;
  manifestPath?: string;
  sessions: number;
  /** Runs of the parent workflow (it continues as new every `sessionsPerRun` sessions). */
  runs?: number;
  workflowId?: string;
}

/** What the destination knows of a test's QXscores (the `findStoredQxScore` activity's answer). */
export interface StoredQxScore {
  stored: boolean;
  /** The session list's count when the stored QXscores were fetched. */
  sessionsListed?: number;
  /** The API answered 404 within the re-check age: not asked again. */
  knownAbsent: boolean;
  /** A record (skipped or failed earlier) that storing it makes obsolete. */
  recorded: boolean;
}
