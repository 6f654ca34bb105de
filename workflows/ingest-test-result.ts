import { executeChild, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SessionSummary } from './inputs';
import { ingestTestResultInputSchema, type IngestTestResultInput, type IngestTestResultParams } from './inputs';
import { apiActivities, storageActivities } from './activity-proxies';
import { reelPath } from './asset-paths';
import { ASSET_KIND_LIST, type AssetOutcome, type IngestSummary } from './asset-types';
import { forEachBounded } from './bounded-pool';
import { failureReason } from './failure-reason';
import { pollGeneration } from './generation-poll';
import { ingestSession } from './ingest-session';
import { parseInput } from './parse-input';
import { ProgressTracker, progressQuery } from './progress';
import { SESSION_ID_SEARCH_ATTRIBUTE, TEST_ID_SEARCH_ATTRIBUTE } from './search-attributes';
import { sessionWorkflowId } from './task-queues';

/** The API caps `offset` at 10000; ask for the largest page it allows and trust what it returns. */
const PAGE_LIMIT = 500;
const MAX_OFFSET = 10_000;

/**
 * One test result: its highlight reels here, every session in a child `ingestSession`, then the
 * manifest. Workflow id `ut-media-test-<testId>`.
 */
export async function ingestTestResult(input: IngestTestResultInput): Promise<IngestSummary> {
  const params = parseInput(ingestTestResultInputSchema, input, 'ingestTestResult');
  const { testId, dest, options } = params;
  upsertSearchAttributes([{ key: TEST_ID_SEARCH_ATTRIBUTE, value: testId }]);
  const progress = new ProgressTracker(testId);
  setHandler(progressQuery, () => progress.snapshot);
  const api = apiActivities(options);
  const storage = storageActivities(options);
  const wants = new Set(params.only);
  const outcomes: AssetOutcome[] = [];

  // Also validates the destination before any API request is spent.
  const known = await storage.findStoredAssets({ dest, testId });
  const absentBefore = new Set(known.absentBefore);

  const needsSessions = wants.has('clips') || wants.has('videos') || wants.has('transcripts');
  const sessions = needsSessions ? await listSessions(params, api, outcomes) : [];
  progress.snapshot.sessions.total = sessions.length;
  progress.snapshot.phase = 'ingesting';

  const reels = wants.has('reels') ? ingestReels(params, api, known.stored, progress, outcomes) : Promise.resolve();
  const children = forEachBounded(sessions, options.maxSessionsInFlight, async (session) => {
    const knownAbsent = (['video', 'transcript'] as const).filter((k) => absentBefore.has(`${k}:${session.sessionId}`));
    try {
      const result = await executeChild(ingestSession, {
        workflowId: sessionWorkflowId(session.sessionId),
        args: [{ testId, sessionId: session.sessionId, dest, only: params.only, options, session, knownAbsent }],
        typedSearchAttributes: [
          { key: TEST_ID_SEARCH_ATTRIBUTE, value: testId },
          { key: SESSION_ID_SEARCH_ATTRIBUTE, value: session.sessionId },
        ],
      });
      for (const outcome of result.outcomes) progress.finish(outcome, undefined);
      outcomes.push(...result.outcomes);
    } catch (err) {
      const reason = `session workflow failed: ${failureReason(err)}`;
      // One failed record per wanted kind (clips as a list-level record), so the run cannot exit 0.
      for (const kind of ['video', 'transcript', 'clip'] as const) {
        if (!wants.has(`${kind}s`)) continue;
        const outcome: AssetOutcome = { kind, testId, sessionId: session.sessionId, status: 'failed', reason, downloaded: false };
        progress.finish(outcome, undefined);
        outcomes.push(outcome);
      }
    }
    progress.snapshot.sessions.done += 1;
  });
  await Promise.all([reels, children]);

  progress.snapshot.phase = 'writing-manifest';
  const manifest = await storage.writeManifest({ dest, testId, outcomes: outcomes.filter((o) => o.status !== 'stored') });
  progress.snapshot.phase = 'done';
  return summarize(params, sessions.length, outcomes, manifest.manifestUri);
}

async function listSessions(params: IngestTestResultParams, api: ReturnType<typeof apiActivities>, outcomes: AssetOutcome[]): Promise<SessionSummary[]> {
  const sessions: SessionSummary[] = [];
  let offset = 0;
  for (;;) {
    const page = await api.listing.listSessionsPage({ testId: params.testId, offset, limit: PAGE_LIMIT });
    sessions.push(...page.sessions);
    // The server may apply a smaller page than asked: advance by what it really returned.
    offset = page.offset + page.sessions.length;
    if (page.sessions.length === 0 || offset >= page.totalCount) break;
    if (offset > MAX_OFFSET) {
      outcomes.push({ kind: 'video', testId: params.testId, status: 'failed', reason: `the API lists at most ${MAX_OFFSET + page.limit} sessions of ${page.totalCount}; the rest were not reached`, downloaded: false });
      break;
    }
  }
  // A list that shifts while paged can repeat a session; one child per session id.
  const seen = new Set<string>();
  const unique = sessions
    .map((s) => ({ ...s, sessionId: s.sessionId.toLowerCase() }))
    .filter((s) => !seen.has(s.sessionId) && seen.add(s.sessionId));
  if (!params.sessionIds) return unique;
  const wanted = new Set(params.sessionIds);
  for (const id of wanted) {
    if (!unique.some((s) => s.sessionId === id)) {
      outcomes.push({ kind: 'video', testId: params.testId, sessionId: id, status: 'failed', reason: 'the test has no such session', downloaded: false });
    }
  }
  return unique.filter((s) => wanted.has(s.sessionId));
}

async function ingestReels(
  params: IngestTestResultParams,
  api: ReturnType<typeof apiActivities>,
  stored: Record<string, { lastUpdatedAtMs?: number }>,
  progress: ProgressTracker,
  outcomes: AssetOutcome[],
): Promise<void> {
  const { testId, dest, options } = params;
  let listing;
  try {
    listing = await api.listing.listReels({ testId });
  } catch (err) {
    outcomes.push({ kind: 'reel', testId, status: 'failed', reason: `reel list: ${failureReason(err)}`, downloaded: false });
    progress.move('reel', undefined, 'failed');
    return;
  }
  if (!listing.found) return;
  await Promise.all(
    listing.reels.map(async (reel) => {
      const previous = stored[reelPath(testId, reel.uuid)];
      if (previous && previous.lastUpdatedAtMs === reel.lastUpdatedAtMs) {
        const outcome: AssetOutcome = { kind: 'reel', testId, reelId: reel.uuid, status: 'stored', downloaded: false };
        progress.finish(outcome, undefined);
        outcomes.push(outcome);
        return;
      }
      progress.move('reel', undefined, 'pending');
      let state: 'pending' | 'generating' = 'pending';
      const fail = (reason: string): AssetOutcome => ({ kind: 'reel', testId, reelId: reel.uuid, status: 'failed', reason, downloaded: false, source: { name: reel.name, lastUpdatedAtMs: reel.lastUpdatedAtMs } });
      const outcome = await pollGeneration(() => api.media.fetchReel({ dest, testId, reel }), options, fail, () => {
        if (state === 'pending') progress.move('reel', 'pending', 'generating');
        state = 'generating';
      }).catch((err) => fail(failureReason(err)));
      progress.finish(outcome, state);
      outcomes.push(outcome);
    }),
  );
}

function summarize(params: IngestTestResultParams, sessions: number, outcomes: AssetOutcome[], manifestPath: string): IngestSummary {
  const counts = {} as IngestSummary['counts'];
  for (const kind of ASSET_KIND_LIST) counts[kind] = { stored: 0, skipped: 0, failed: 0 };
  let downloaded = 0;
  let bytesDownloaded = 0;
  const failures: IngestSummary['failures'] = [];
  for (const o of outcomes) {
    counts[o.kind][o.status] += 1;
    if (o.downloaded) {
      downloaded += 1;
      bytesDownloaded += o.bytes ?? 0;
    }
    if (o.status === 'failed') failures.push({ kind: o.kind, id: o.reelId ?? o.clipId ?? o.sessionId ?? o.testId, reason: o.reason ?? 'unknown' });
  }
  return { testId: params.testId, dest: params.dest, manifestPath, sessions, counts, downloaded, bytesDownloaded, failures, ...{ workflowId: workflowInfo().workflowId } };
}
