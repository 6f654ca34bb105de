import { isArchived, type Manifest, type ManifestAsset } from '../contract/manifest-types';
import { clipPath, reelPath, testPrefix, transcriptPath, videoPath } from '../contract/asset-paths';

/** One clip of a session as the page shows it: its name and time range, and its file when stored. */
export interface PageClip {
  clipId: string;
  name: string;
  description?: string;
  startMs?: number;
  endMs?: number;
  /** Relative to the page; absent when the clip is not stored. */
  src?: string;
}

export interface PageReel {
  reelId: string;
  name: string;
  durationMs?: number;
  numClips?: number;
  src?: string;
}

/** The participant details a session's `session.json` holds, as label/value pairs (absent ones left out). */
export interface ParticipantDetails {
  participantId?: string;
  demographics: Array<[label: string, value: string]>;
  tasks: Array<{ text: string; type: string; answer: string }>;
}

export interface PageSession {
  sessionId: string;
  startTime?: string;
  finishTime?: string;
  sessionStatus?: string;
  /** The API no longer lists the session (withdrawn) since then: still archived until pruned. */
  withdrawnSince?: string;
  /** What the archive holds for the session, e.g. "video, transcript, details", and the asset states. */
  stored: string[];
  notStored: Array<{ kind: string; status: string; reason: string }>;
  video?: string;
  /** `vtt` is the page's own copy, absent for a transcript beyond the page's budget (then only linked). */
  transcript?: { src: string; md5: string; vtt?: string };
  clips: PageClip[];
  details?: { md5: string; participant: ParticipantDetails };
}

export interface QxScoreRow {
  label: string;
  qxScore: number | null;
  behavioral: number | null;
  attitudinal: number | null;
}

export interface PageModel {
  testId: string;
  /** Stored transcripts the page links without holding a copy: they did not fit its budget. */
  transcriptsLinkedOnly: number;
  /** The latest time an asset of the test was stored: the page changes only when the archive does. */
  archivedAt: string | null;
  kinds: Record<string, { stored: number; skipped: number; failed: number; withdrawn: number }>;
  qxScores?: { md5: string; completes?: number; totalQxTasks?: number; rows: QxScoreRow[] };
  reels: PageReel[];
  sessions: PageSession[];
}

/**
 * Bytes of transcript text a page holds at most (about 270 transcripts of a 25-minute session):
 * enough for the whole test in almost every study, while a page of thousands of long sessions stays
 * a page (a copy of every transcript made 30 MiB for 1,000 of them, past 2 s to load). Transcripts
 * beyond it are linked only: captions and search load them over HTTP(S), not from a folder.
 */
export const PAGE_TRANSCRIPT_BUDGET_BYTES = 8 * 1024 * 1024;

export interface PageModelOptions {
  /** @default PAGE_TRANSCRIPT_BUDGET_BYTES */
  transcriptBudgetBytes?: number;
}

/** Reads what the page shows beyond the manifest: the transcripts, session details and QXscores. */
export interface PageSources {
  transcript(asset: ManifestAsset): Promise<string | undefined>;
  details(asset: ManifestAsset): Promise<ParticipantDetails | undefined>;
  qxScores(asset: ManifestAsset): Promise<Omit<NonNullable<PageModel['qxScores']>, 'md5'> | undefined>;
}

const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? undefined : String(value));
const num = (value: unknown) => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** A path under the test folder, relative to the page (which sits in the test folder). */
function relative(testId: string, path: string): string {
  return path.slice(testPrefix(testId).length + 1);
}

/** The page's content from the manifest and, for what it holds beyond it, the stored objects. */
export async function buildPageModel(manifest: Manifest, sources: PageSources, options: PageModelOptions = {}): Promise<PageModel> {
  const testId = manifest.testId.toLowerCase();
  let transcriptBudget = options.transcriptBudgetBytes ?? PAGE_TRANSCRIPT_BUDGET_BYTES;
  let transcriptsLinkedOnly = 0;
  const kinds: PageModel['kinds'] = {};
  const sessions = new Map<string, PageSession>();
  const reels: PageReel[] = [];
  let archivedAt: string | null = null;
  let qxScores: PageModel['qxScores'];
  const session = (id: string) => {
    const key = id.toLowerCase();
    let found = sessions.get(key);
    if (!found) sessions.set(key, (found = { sessionId: key, stored: [], notStored: [], clips: [] }));
    return found;
  };
  for (const asset of manifest.assets) {
    const counts = (kinds[asset.kind] ??= { stored: 0, skipped: 0, failed: 0, withdrawn: 0 });
    counts[asset.status] += 1;
    // A withdrawn asset (the API no longer lists it) is still archived until pruned: it still plays.
    const stored = isArchived(asset);
    if (stored && asset.downloadedAt && (!archivedAt || asset.downloadedAt > archivedAt)) archivedAt = asset.downloadedAt;
    if (asset.kind === 'reel') {
      if (!asset.reelId) continue;
      reels.push({
        reelId: asset.reelId,
        name: text(asset.name) ?? '',
        durationMs: num(asset.durationMs),
        numClips: num(asset.numClips),
        src: stored ? relative(testId, reelPath(testId, asset.reelId)) : undefined,
      });
      continue;
    }
    if (asset.kind === 'qxscore') {
      const scores = stored ? await sources.qxScores(asset) : undefined;
      if (scores) qxScores = { md5: asset.md5 ?? '', ...scores };
      continue;
    }
    if (!asset.sessionId) continue;
    const row = session(asset.sessionId);
    row.startTime ??= text(asset.startTime);
    row.finishTime ??= text(asset.finishTime);
    row.sessionStatus ??= text(asset.sessionStatus);
    if (asset.status === 'withdrawn') row.withdrawnSince ??= text(asset.firstMissedAt) ?? '';
    if (!stored && !(asset.kind === 'clip' && asset.clipId)) row.notStored.push({ kind: asset.kind, status: asset.status, reason: asset.reason ?? '' });
    if (stored && asset.kind !== 'clip') row.stored.push(asset.kind);
    if (asset.kind === 'video' && stored) row.video = relative(testId, videoPath(testId, row.sessionId));
    if (asset.kind === 'transcript' && stored) {
      const src = relative(testId, transcriptPath(testId, row.sessionId));
      // The manifest's size decides before reading: a transcript that cannot fit is not read at all.
      const fits = typeof asset.bytes === 'number' ? asset.bytes <= transcriptBudget : transcriptBudget > 0;
      const vtt = fits ? await sources.transcript(asset) : undefined;
      if (fits && vtt === undefined) continue;
      const bytes = vtt === undefined ? Infinity : Buffer.byteLength(vtt);
      if (vtt !== undefined && bytes <= transcriptBudget) {
        transcriptBudget -= bytes;
        row.transcript = { src, md5: asset.md5 ?? '', vtt };
      } else {
        transcriptsLinkedOnly += 1;
        row.transcript = { src, md5: asset.md5 ?? '' };
      }
    }
    if (asset.kind === 'details' && stored) {
      const participant = await sources.details(asset);
      if (participant) row.details = { md5: asset.md5 ?? '', participant };
    }
    if (asset.kind === 'clip' && asset.clipId) {
      row.clips.push({
        clipId: asset.clipId,
        name: text(asset.name) ?? '',
        description: text(asset.description),
        startMs: num(asset.timeStartMs),
        endMs: num(asset.timeEndMs),
        src: stored ? relative(testId, clipPath(testId, row.sessionId, asset.clipId)) : undefined,
      });
    }
  }
  for (const row of sessions.values()) {
    row.clips.sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0) || a.clipId.localeCompare(b.clipId));
    if (row.clips.some((c) => c.src)) row.stored.push('clips');
  }
  const ordered = [...sessions.values()].sort((a, b) => (a.startTime ?? '').localeCompare(b.startTime ?? '') || a.sessionId.localeCompare(b.sessionId));
  return { testId, transcriptsLinkedOnly, archivedAt, kinds, qxScores, reels, sessions: ordered };
}
