/** Shapes shared by workflows and activities (plain JSON; nothing secret ever goes in them). */
export type AssetKind = 'reel' | 'clip' | 'video' | 'transcript';
export const ASSET_KIND_LIST: AssetKind[] = ['reel', 'clip', 'video', 'transcript'];

export type AssetStatus = 'stored' | 'skipped' | 'failed';

/** What happened to one asset in this run. Source fields travel only for skipped and failed ones. */
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
  source?: Record<string, string | number | boolean | null>;
}

/** Answer of a reel/clip detail activity: still generating, failed this attempt, or finished. */
export type GenerationCheck = { state: 'generating' } | { state: 'error' } | { state: 'done'; outcome: AssetOutcome };

export type ProgressState = 'pending' | 'generating' | 'stored' | 'skipped' | 'failed';

export interface ProgressSnapshot {
  testId: string;
  sessionId?: string;
  phase: 'listing' | 'ingesting' | 'writing-manifest' | 'done';
  sessions: { total: number; done: number };
  assets: Record<AssetKind, Record<ProgressState, number>>;
  bytesDownloaded: number;
}

export interface SessionResult {
  sessionId: string;
  outcomes: AssetOutcome[];
}

export interface IngestSummary {
  testId: string;
  dest: string;
  manifestPath?: string;
  sessions: number;
  counts: Record<AssetKind, Record<AssetStatus, number>>;
  downloaded: number;
  bytesDownloaded: number;
  failures: Array<{ kind: AssetKind; id: string; reason: string }>;
}
