import { counted } from './api-request-count';
import {
  ParentClosePolicy,
  condition,
  continueAsNew,
  isCancellation,
  executeChild,
  setCurrentDetails,
  patched,
  setHandler,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { apiActivities, storageActivities } from './activity-proxies';
import type { AssetOutcome, IngestSummary, ProgressSnapshot } from '../contract/asset-types';
import { forEachBounded } from './bounded-pool';
import { failureReason } from './failure-reason';
import { ingestReels, reelsDoneSignal } from './ingest-reels';
import { ingestSession } from './ingest-session';
import {
  KIND_OF_SELECTION,
  ingestTestResultInputSchema,
  sessionsNeeded,
  SESSION_KINDS,
  type IngestCursor,
  type IngestTestResultInput,
  type IngestTestResultParams,
  type SessionSummary,
} from '../contract/inputs';
import { parseInput } from './parse-input';
import { progressQuery } from '../contract/progress-query';
import { addOutcome, emptyTally, mergeTally } from './run-tally';
import { SESSION_ID_SEARCH_ATTRIBUTE, TEST_ID_SEARCH_ATTRIBUTE } from '../contract/search-attributes';
import { reelsWorkflowId, sessionWorkflowId } from '../contract/task-queues';
import { currentDetails, progressMemo } from './ui-metadata';
import { decideQxScore } from './qxscore-decision';
import { MAX_LIST_OFFSET, pageStep, sessionPageLimit } from './session-paging';
import { reviewWithdrawals } from './withdrawals';

/** How long past the generation deadline the parent waits for its reels child (a download can take 6 h, retries more). */
const REELS_REPORT_MARGIN_MS = 12 * 3_600_000;
/** A run continues as new well before Temporal's limits, whatever sessionsPerRun says. */
const MAX_EVENTS_PER_RUN = 8000;
const MEMO_EVERY_SESSIONS = 25;

/**
 * One test result. Workflow id `ut-media-test-<testId>`. Its reels run in a child `ingestReels`;
 * its sessions are read page by page, each in a child `ingestSession`; every `sessionsPerRun`
 * sessions the workflow continues as new with a cursor (counts and a list offset), so neither its
 * history nor any payload grows with the test. The last run assembles the manifest from the
 * destination, where every asset's object or record already is.
 */
export async function ingestTestResult(input: IngestTestResultInput): Promise<IngestSummary> {
  const params = parseInput(ingestTestResultInputSchema, input, 'ingestTestResult');
  const { testId, dest, options } = params;
  const wants = new Set(params.only);
  // What a run lists is kept at the destination to find withdrawn sessions; runs from before keep nothing.
  const tracksWithdrawals = patched('withdrawals');
  const cursor: IngestCursor = params.cursor
    ? { ...params.cursor, runs: params.cursor.runs + 1 }
    : { offset: 0, listed: false, sessionsDone: 0, tally: emptyTally(), reelsDone: !wants.has('reels'), runs: 1 };
  // A run for chosen sessions lists only those: it cannot tell what the test withdrew.
  if (!params.cursor && tracksWithdrawals && !params.sessionIds) cursor.listingId = workflowInfo().runId;
  let phase: ProgressSnapshot['phase'] = params.cursor ? 'ingesting' : 'listing';
  const inFlight = { sessions: 0 };
  // With --session the run's sessions are those asked for, not the whole list.
  const snapshot = () => snapshotOf(testId, phase, cursor, inFlight.sessions, params.sessionIds?.length);
  const showDetails = () => setCurrentDetails(currentDetails(snapshot()));
  // The memo costs a history event per update: at phase changes, pages and every MEMO_EVERY_SESSIONS only.
  // Runs started before the memo existed replay without it.
  const updateMemo = () => patched('progress-memo') && upsertMemo({ progress: progressMemo(snapshot()) });
  setHandler(reelsDoneSignal, ({ dest: reelsDest, tally }) => {
    // A reels child left by an earlier run of this id into another destination is not ours.
    if (cursor.reelsDone || reelsDest !== dest) return;
    mergeTally(cursor.tally, tally);
    cursor.reelsDone = true;
    showDetails();
  });
  setHandler(progressQuery, snapshot);
  showDetails();
  const api = apiActivities(options);
  const storage = storageActivities(options);

  if (cursor.runs === 1) {
    upsertSearchAttributes([{ key: TEST_ID_SEARCH_ATTRIBUTE, value: testId }]);
    // Validates the destination before any API request is spent.
    await storage.findStoredAssets.executeWithOptions({ summary: `check the destination ${dest}` }, [{ dest, testId }]);
    if (!cursor.reelsDone) await startReels(params, cursor.listingId);
  }
  phase = 'ingesting';
  showDetails();
  updateMemo();

  const needsSessions = sessionsNeeded(params.only);
  let sessionsThisRun = 0;
  while (needsSessions && !cursor.listed) {
    if (sessionsThisRun >= options.sessionsPerRun || workflowInfo().historyLength > MAX_EVENTS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof ingestTestResult>({ ...input, cursor });
    }
    const sessions = await nextPage(params, cursor, api);
    showDetails();
    updateMemo();
    await forEachBounded(sessions, options.maxSessionsInFlight, async (session) => {
      inFlight.sessions += 1;
      showDetails();
      await ingestOneSession(params, session, cursor, storage);
      inFlight.sessions -= 1;
      cursor.sessionsDone += 1;
      showDetails();
      if (cursor.sessionsDone % MEMO_EVERY_SESSIONS === 0) updateMemo();
    });
    sessionsThisRun += sessions.length;
  }

  if (params.sessionIds && needsSessions && !cursor.listingFailed) {
    const found = new Set(cursor.foundSessionIds ?? []);
    const missing: AssetOutcome[] = params.sessionIds
      .filter((id) => !found.has(id))
      .map((sessionId) => ({ kind: 'video', testId, sessionId, status: 'failed', reason: 'the test has no such session', downloaded: false }));
    // Named in the summary (exit 1) but not recorded: the API never listed them, so no manifest entry.
    for (const o of missing) addOutcome(cursor.tally, o);
  }

  // A reel can generate until its deadline, then download for hours; the reels child always reports.
  if (!(await condition(() => cursor.reelsDone, options.generationDeadlineMs + REELS_REPORT_MARGIN_MS))) {
    addOutcome(cursor.tally, {
      kind: 'reel',
      testId,
      status: 'failed',
      reason: 'the reels workflow did not report before the generation deadline',
      downloaded: false,
    });
  }
  // From every session's answer: asked for once the sessions are done, so it counts them all.
  if (wants.has('qxscore') && patched('session-context')) await ingestQxScore(params, cursor, api, storage);
  const withdrawals =
    cursor.listingId !== undefined
      ? await reviewWithdrawals(params, { ...cursor, listingId: cursor.listingId }, { sessions: needsSessions, reels: wants.has('reels') }, storage)
      : undefined;
  phase = 'writing-manifest';
  showDetails();
  const settled = needsSessions && !params.sessionIds && !cursor.listingFailed ? [{ kind: 'video' as const, testId }] : [];
  // Every writer of this run has finished; one silent for twice the heartbeat timeout is dead.
  const manifest = await storage.assembleManifest.executeWithOptions({ summary: 'assemble manifest.json from the destination' }, [
    { dest, testId, settled, deadWriterIdleMs: 2 * options.heartbeatTimeoutMs },
  ]);
  phase = 'done';
  showDetails();
  updateMemo();
  const { workflowId } = workflowInfo();
  return {
    testId,
    dest,
    manifestPath: manifest.manifestUri,
    sessions: cursor.sessionsDone,
    runs: cursor.runs,
    workflowId,
    ...cursor.tally,
    ...(withdrawals ? { withdrawals } : {}),
  };
}

/** Reels go in a child the parent does not wait on (it continues as new meanwhile); it signals when done. */
async function startReels(params: IngestTestResultParams, listingId: string | undefined): Promise<void> {
  const { workflowId } = workflowInfo();
  try {
    await startChild(ingestReels, {
      workflowId: reelsWorkflowId(workflowId, params.dest),
      args: [{ testId: params.testId, dest: params.dest, options: params.options, notify: workflowId, ...(listingId ? { listingId } : {}) }],
      staticSummary: `highlight reels of test ${params.testId} into ${params.dest}`,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [{ key: TEST_ID_SEARCH_ATTRIBUTE, value: params.testId }],
    });
  } catch (err) {
    // One left running by an earlier run of this workflow id reports to this run just the same.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** One page of the session list; a page that does not advance ends the listing with a failure record. */
async function nextPage(params: IngestTestResultParams, cursor: IngestCursor, api: ReturnType<typeof apiActivities>): Promise<SessionSummary[]> {
  const { testId } = params;
  const fail = async (reason: string) => {
    const outcome: AssetOutcome = { kind: 'video', list: 'sessions', testId, status: 'failed', reason, downloaded: false };
    addOutcome(cursor.tally, outcome);
    cursor.listed = true;
    cursor.listingFailed = true;
    await storageActivities(params.options).recordOutcomes({ dest: params.dest, write: [outcome] });
  };
  let page;
  try {
    page = await counted(
      () =>
        api.listing.listSessionsPage.executeWithOptions({ summary: `list sessions from offset ${cursor.offset}` }, [
          { testId, offset: cursor.offset, limit: sessionPageLimit(params.options.sessionsPerRun) },
        ]),
      (n) => (cursor.tally.apiRequests = (cursor.tally.apiRequests ?? 0) + n),
    );
  } catch (err) {
    await fail(`session list at offset ${cursor.offset}: ${failureReason(err)}`);
    return [];
  }
  cursor.totalCount = page.totalCount;
  const { next, advanced, last, capped } = pageStep(cursor.offset, page);
  if (!advanced) {
    await fail(`the session list stopped advancing at offset ${cursor.offset} of ${page.totalCount}; the rest were not reached`);
    return [];
  }
  if (cursor.listingId)
    await storageActivities(params.options).recordListedPage.executeWithOptions({ summary: `keep the ids of the session page at offset ${page.offset}` }, [
      {
        dest: params.dest,
        testId,
        listingId: cursor.listingId,
        list: 'sessions',
        offset: page.offset,
        totalCount: page.totalCount,
        ids: page.sessions.map((s) => s.sessionId),
      },
    ]);
  if (last) cursor.listed = true;
  else if (capped) await fail(`the API lists no session past offset ${MAX_LIST_OFFSET}; ${page.totalCount - next} of ${page.totalCount} were not reached`);
  cursor.offset = next;
  // A list that shifts while paged can repeat a session within a page; one child per session id.
  const seen = new Set<string>();
  const sessions = page.sessions.map((s) => ({ ...s, sessionId: s.sessionId.toLowerCase() })).filter((s) => !seen.has(s.sessionId) && seen.add(s.sessionId));
  if (!params.sessionIds) return sessions;
  const wanted = new Set(params.sessionIds);
  const picked = sessions.filter((s) => wanted.has(s.sessionId));
  cursor.foundSessionIds = [...(cursor.foundSessionIds ?? []), ...picked.map((s) => s.sessionId)];
  return picked;
}

async function ingestOneSession(
  params: IngestTestResultParams,
  session: SessionSummary,
  cursor: IngestCursor,
  storage: ReturnType<typeof storageActivities>,
): Promise<void> {
  const { testId, dest, options } = params;
  try {
    const result = await executeChild(ingestSession, {
      workflowId: sessionWorkflowId(session.sessionId),
      args: [{ testId, sessionId: session.sessionId, dest, only: params.only, refreshDetails: params.refreshDetails, options, session }],
      staticSummary: `session ${session.sessionId} (${params.only.join(', ')})`,
      typedSearchAttributes: [
        { key: TEST_ID_SEARCH_ATTRIBUTE, value: testId },
        { key: SESSION_ID_SEARCH_ATTRIBUTE, value: session.sessionId },
      ],
    });
    mergeTally(cursor.tally, result);
    cursor.sessionApiRequests = (cursor.sessionApiRequests ?? 0) + (result.apiRequests ?? 0);
  } catch (err) {
    const reason = `session workflow failed: ${failureReason(err)}`;
    // One failed record per wanted kind (clips as a list-level record), so the run cannot exit 0.
    const failed: AssetOutcome[] = params.only
      .map((selection) => KIND_OF_SELECTION[selection])
      .filter((kind) => SESSION_KINDS.has(kind))
      .map((kind) => ({ kind, testId, sessionId: session.sessionId, status: 'failed', reason, downloaded: false }));
    for (const o of failed) addOutcome(cursor.tally, o);
    await storage.recordOutcomes({ dest, write: failed }).catch(() => undefined);
  }
}

/**
 * The test's QXscores, after its sessions: asked for when not stored, when the session list's count
 * changed since they were, or when details are refreshed; a 404 (not an interaction test) is not asked
 * again within the re-check age.
 */
async function ingestQxScore(
  params: IngestTestResultParams,
  cursor: IngestCursor,
  api: ReturnType<typeof apiActivities>,
  storage: ReturnType<typeof storageActivities>,
): Promise<void> {
  const { testId, dest, options } = params;
  try {
    const known = await storage.findStoredQxScore.executeWithOptions({ summary: 'look up the stored QXscores' }, [
      { dest, testId, absentRecheckMs: options.absentRecheckMs },
    ]);
    const step = decideQxScore(known, cursor.totalCount, params.refreshDetails === true);
    if (step === 'stored') addOutcome(cursor.tally, { kind: 'qxscore', testId, status: 'stored', downloaded: false });
    else if (step === 'knownAbsent')
      addOutcome(cursor.tally, {
        kind: 'qxscore',
        testId,
        status: 'skipped',
        reason: 'the API had no QXscore for this test when last asked (404)',
        downloaded: false,
        notFound: true,
      });
    else {
      const fetch = () =>
        api.context.fetchQxScore.executeWithOptions({ summary: `fetch the QXscores of test ${testId}` }, [
          { dest, testId, sessionsListed: cursor.totalCount, hadRecord: known.recorded },
        ]);
      addOutcome(cursor.tally, await counted(fetch, (n) => (cursor.tally.apiRequests += n)));
    }
  } catch (err) {
    if (isCancellation(err)) throw err;
    // The manifest is still written: a failed QXscore is one failed asset, not a failed run.
    const failed: AssetOutcome = { kind: 'qxscore', testId, status: 'failed', reason: failureReason(err), downloaded: false };
    addOutcome(cursor.tally, failed);
    await storage.recordOutcomes({ dest, write: [failed] }).catch(() => undefined);
  }
}

function snapshotOf(
  testId: string,
  phase: ProgressSnapshot['phase'],
  cursor: IngestCursor,
  sessionsInFlight: number,
  sessionsAskedFor: number | undefined,
): ProgressSnapshot {
  const assets = {} as ProgressSnapshot['assets'];
  for (const [kind, c] of Object.entries(cursor.tally.counts)) assets[kind as keyof typeof assets] = { pending: 0, generating: 0, ...c };
  return {
    testId,
    phase,
    sessions: { total: sessionsAskedFor ?? cursor.totalCount ?? 0, done: cursor.sessionsDone },
    assets,
    bytesDownloaded: cursor.tally.bytesDownloaded,
    runs: cursor.runs,
    reelsDone: cursor.reelsDone,
    sessionsInFlight,
    apiRequests: cursor.tally.apiRequests ?? 0,
    sessionApiRequests: cursor.sessionApiRequests ?? 0,
    ...(cursor.tally.listsFailed ? { listsFailed: cursor.tally.listsFailed } : {}),
  };
}
