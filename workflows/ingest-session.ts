import { setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { apiActivities, storageActivities } from './activity-proxies';
import { clipPath, transcriptPath, videoPath } from './asset-paths';
import type { AssetOutcome, SessionResult } from './asset-types';
import { failureReason } from './failure-reason';
import { pollGeneration } from './generation-poll';
import { ingestSessionInputSchema, type IngestSessionInput } from './inputs';
import { parseInput } from './parse-input';
import { ProgressTracker, progressQuery } from './progress';
import { SESSION_ID_SEARCH_ATTRIBUTE, TEST_ID_SEARCH_ATTRIBUTE } from './search-attributes';

const ABSENT_BEFORE = 'the API had none for this session in an earlier run (404)';

/** One session: its video, transcript and clips. Workflow id `ut-media-session-<sessionId>`. */
export async function ingestSession(input: IngestSessionInput): Promise<SessionResult> {
  const params = parseInput(ingestSessionInputSchema, input, 'ingestSession');
  const { testId, sessionId, dest, options } = params;
  upsertSearchAttributes([
    { key: TEST_ID_SEARCH_ATTRIBUTE, value: testId },
    { key: SESSION_ID_SEARCH_ATTRIBUTE, value: sessionId },
  ]);
  const progress = new ProgressTracker(testId, sessionId);
  setHandler(progressQuery, () => progress.snapshot);
  const api = apiActivities(options);
  const storage = storageActivities(options);
  const wants = new Set(params.only);
  const absent = new Set(params.knownAbsent ?? []);

  const { stored } = await storage.findStoredAssets({ dest, testId, sessionId });
  progress.snapshot.phase = 'ingesting';
  const outcomes: AssetOutcome[] = [];
  const finish = (outcome: AssetOutcome, from?: 'pending' | 'generating') => {
    progress.finish(outcome, from);
    outcomes.push(outcome);
  };
  const alreadyStored = (kind: AssetOutcome['kind'], extra: Partial<AssetOutcome>) =>
    finish({ kind, testId, sessionId, status: 'stored', downloaded: false, ...extra }, undefined);

  const tasks: Array<Promise<void>> = [];
  const sessionAsset = (kind: 'video' | 'transcript', path: string, run: () => Promise<AssetOutcome>) => {
    if (stored[path]) return alreadyStored(kind, {});
    if (absent.has(kind)) return finish({ kind, testId, sessionId, status: 'skipped', reason: ABSENT_BEFORE, downloaded: false }, undefined);
    progress.move(kind, undefined, 'pending');
    tasks.push(
      run().then(
        (o) => finish(o),
        (err) => finish({ kind, testId, sessionId, status: 'failed', reason: failureReason(err), downloaded: false }),
      ),
    );
  };
  const sessionInput = { dest, testId, sessionId, session: params.session };
  if (wants.has('videos')) sessionAsset('video', videoPath(testId, sessionId), () => api.media.fetchVideo(sessionInput));
  if (wants.has('transcripts')) sessionAsset('transcript', transcriptPath(testId, sessionId), () => api.media.fetchTranscript(sessionInput));

  if (wants.has('clips')) {
    tasks.push(
      (async () => {
        let listing;
        try {
          listing = await api.listing.listClips({ sessionId });
        } catch (err) {
          progress.move('clip', undefined, 'failed');
          outcomes.push({ kind: 'clip', testId, sessionId, status: 'failed', reason: `clip list: ${failureReason(err)}`, downloaded: false });
          return;
        }
        if (!listing.found) return;
        await Promise.all(
          listing.clips.map(async (clip) => {
            if (stored[clipPath(testId, sessionId, clip.uuid)]) return alreadyStored('clip', { clipId: clip.uuid });
            progress.move('clip', undefined, 'pending');
            let state: 'pending' | 'generating' = 'pending';
            const fail = (reason: string): AssetOutcome => ({ kind: 'clip', testId, sessionId, clipId: clip.uuid, status: 'failed', reason, downloaded: false, source: { name: clip.name } });
            const outcome = await pollGeneration(
              () => api.media.fetchClip({ dest, testId, sessionId, clip }),
              options,
              fail,
              () => {
                if (state === 'pending') progress.move('clip', 'pending', 'generating');
                state = 'generating';
              },
            ).catch((err) => fail(failureReason(err)));
            finish(outcome, state);
          }),
        );
      })(),
    );
  }
  await Promise.all(tasks);
  progress.snapshot.phase = 'done';
  return { sessionId, outcomes };
}
