import { counted } from './api-request-count';
import { patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { apiActivities, storageActivities } from './activity-proxies';
import { clipPath, detailsPath, recordKey, transcriptPath, videoPath } from '../contract/asset-paths';
import type { AssetOutcome, SessionResult } from '../contract/asset-types';
import { failureReason } from './failure-reason';
import { pollGeneration } from './generation-poll';
import { ingestSessionInputSchema, type IngestSessionInput } from '../contract/inputs';
import { parseInput } from './parse-input';
import { progressQuery } from '../contract/progress-query';
import { ProgressTracker } from './progress';
import { addOutcome, emptyTally } from './run-tally';
import { SESSION_ID_SEARCH_ATTRIBUTE, TEST_ID_SEARCH_ATTRIBUTE } from '../contract/search-attributes';

const ABSENT_BEFORE = 'the API had none for this session when last asked (404)';

/**
 * One session: its video, transcript, clips and details. Workflow id `ut-media-session-<sessionId>`.
 * Returns counts only; skipped and failed assets have their records at the destination.
 */
export async function ingestSession(input: IngestSessionInput): Promise<SessionResult> {
  const params = parseInput(ingestSessionInputSchema, input, 'ingestSession');
  const { testId, sessionId, dest, options } = params;
  upsertSearchAttributes([
    { key: TEST_ID_SEARCH_ATTRIBUTE, value: testId },
    { key: SESSION_ID_SEARCH_ATTRIBUTE, value: sessionId },
  ]);
  const progress = new ProgressTracker(testId, sessionId);
  const tally = emptyTally();
  setHandler(progressQuery, () => ({ ...progress.snapshot, apiRequests: tally.apiRequests }));
  const api = apiActivities(options);
  const storage = storageActivities(options);
  const wants = new Set(params.only);

  const { stored, knownAbsent, recorded } = await storage.findStoredAssets.executeWithOptions({ summary: `look up what is stored of session ${sessionId}` }, [
    { dest, testId, sessionId, absentRecheckMs: options.absentRecheckMs },
  ]);
  const absent = new Set(knownAbsent);
  const hasRecord = new Set(recorded);
  progress.snapshot.phase = 'ingesting';
  // Failures decided here (not by an activity) get their records written at the end.
  const decided: AssetOutcome[] = [];
  const finish = (outcome: AssetOutcome, from?: 'pending' | 'generating') => {
    progress.finish(outcome, from);
    addOutcome(tally, outcome);
    if (outcome.status === 'failed') decided.push(outcome);
  };
  const alreadyStored = (kind: AssetOutcome['kind'], extra: Partial<AssetOutcome>) =>
    finish({ kind, testId, sessionId, status: 'stored', downloaded: false, ...extra }, undefined);

  const tasks: Array<Promise<void>> = [];
  const request = <T>(call: () => Promise<T>) => counted(call, (n) => (tally.apiRequests += n));
  const sessionAsset = (kind: 'video' | 'transcript' | 'details', path: string, run: () => Promise<AssetOutcome>, askAgain = false) => {
    if (stored[path] && !askAgain) return alreadyStored(kind, {});
    if (absent.has(recordKey({ kind })))
      return finish({ kind, testId, sessionId, status: 'skipped', reason: ABSENT_BEFORE, downloaded: false, notFound: true }, undefined);
    progress.move(kind, undefined, 'pending');
    tasks.push(
      run().then(
        (o) => finish(o),
        (err) => finish({ kind, testId, sessionId, status: 'failed', reason: failureReason(err), downloaded: false }),
      ),
    );
  };
  const sessionInput = (kind: 'video' | 'transcript' | 'details') => ({
    dest,
    testId,
    sessionId,
    session: params.session,
    hadRecord: hasRecord.has(recordKey({ kind })),
  });
  if (wants.has('videos'))
    sessionAsset('video', videoPath(testId, sessionId), () =>
      request(() => api.media.fetchVideo.executeWithOptions({ summary: `fetch video of session ${sessionId}` }, [sessionInput('video')])),
    );
  if (wants.has('transcripts'))
    sessionAsset('transcript', transcriptPath(testId, sessionId), () =>
      request(() => api.media.fetchTranscript.executeWithOptions({ summary: `fetch transcript of session ${sessionId}` }, [sessionInput('transcript')])),
    );
  // Runs started before session details existed replay without them.
  if (wants.has('details') && patched('session-context')) {
    sessionAsset(
      'details',
      detailsPath(testId, sessionId),
      () => request(() => api.context.fetchSessionDetails.executeWithOptions({ summary: `fetch details of session ${sessionId}` }, [sessionInput('details')])),
      params.refreshDetails === true,
    );
  }
  if (wants.has('clips')) {
    if (absent.has(recordKey({ kind: 'clip' })))
      finish({ kind: 'clip', testId, sessionId, status: 'skipped', reason: ABSENT_BEFORE, downloaded: false, notFound: true }, undefined);
    else tasks.push(ingestClips());
  }

  async function ingestClips(): Promise<void> {
    let listing;
    try {
      listing = await request(() =>
        api.listing.listClips.executeWithOptions({ summary: `list clips of session ${sessionId}` }, [
          { dest, testId, sessionId, hadRecord: hasRecord.has(recordKey({ kind: 'clip' })) },
        ]),
      );
    } catch (err) {
      finish({ kind: 'clip', list: 'clips', testId, sessionId, status: 'failed', reason: `clip list: ${failureReason(err)}`, downloaded: false }, undefined);
      return;
    }
    if (!listing.found) {
      finish({ kind: 'clip', testId, sessionId, status: 'skipped', reason: listing.reason, downloaded: false, notFound: true }, undefined);
      return;
    }
    await Promise.all(
      listing.clips.map(async (clip) => {
        if (stored[clipPath(testId, sessionId, clip.uuid)]) return alreadyStored('clip', { clipId: clip.uuid });
        progress.move('clip', undefined, 'pending');
        let state: 'pending' | 'generating' = 'pending';
        const outcome = await pollGeneration(
          { kind: 'clip', dest, testId, sessionId, clip, hadRecord: hasRecord.has(recordKey({ kind: 'clip', clipId: clip.uuid })) },
          options,
          () => {
            if (state === 'pending') progress.move('clip', 'pending', 'generating');
            state = 'generating';
          },
          (n) => (tally.apiRequests += n),
        );
        finish(outcome, state);
      }),
    );
  }

  await Promise.all(tasks);
  if (decided.length) await storage.recordOutcomes({ dest, write: decided });
  progress.snapshot.phase = 'done';
  return { sessionId, ...tally };
}
