import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectAlreadyExistsError, type Destination } from '../storage';
import { BadRequestError, NotFoundError } from '../usertesting/errors';
import { detailsPath, qxScorePath } from '../contract/asset-paths';
import type { AssetIdentity, AssetOutcome } from '../contract/asset-types';
import type { SessionSummary } from '../contract/inputs';
import { currentActivity } from './activity-context';
import { recordAbsent, storedOutcome, writeCutFields } from './asset-records';
import type { ActivityDeps } from './deps';
import { withFailureMapping } from './failures';
import { sessionSource } from './media-activities';
import { fitMetadata } from './metadata-limits';
import { objectMetadata, type SourceFields } from './object-metadata';
import { heartbeatingActivities } from './activity-context';

/** `hadRecord`: the asset has a record (skipped or failed earlier) that storing it now makes obsolete. */
export interface SessionDetailsInput {
  dest: string;
  testId: string;
  sessionId: string;
  session?: SessionSummary;
  hadRecord?: boolean;
}
/** `sessionsListed`: the session list's count now, kept with the object to tell later runs whether to ask again. */
export interface QxScoreInput {
  dest: string;
  testId: string;
  sessionsListed?: number;
  hadRecord?: boolean;
}

/**
 * The session context analysts join the media with: a session's details (v3) and a test's QXscores.
 * One API request each; the answer is stored as JSON only when it differs from what is stored.
 */
export function createContextActivities(deps: ActivityDeps) {
  const now = deps.now ?? (() => new Date());

  const absent = (destination: Destination, identity: AssetIdentity, reason: string, source: SourceFields) =>
    recordAbsent(destination, identity, reason, source, now().toISOString());

  /** Writes `answer` unless the stored object already has these bytes and this metadata; replaces an older answer. */
  async function storeAnswer(
    destination: Destination,
    path: string,
    identity: AssetIdentity,
    answer: unknown,
    source: SourceFields,
    hadRecord: boolean | undefined,
  ): Promise<AssetOutcome> {
    const body = Buffer.from(`${JSON.stringify(answer, null, 2)}\n`, 'utf8');
    const md5 = createHash('md5').update(body).digest('base64');
    const existing = await destination.stat(path);
    const { metadata, cut } = fitMetadata(objectMetadata(identity, source, now().toISOString()), destination.metadataBudgetBytes);
    // Fields as the store keeps them (cut ones are compared by their cut form); the download time aside.
    const sameSource = Object.entries(metadata).every(([k, v]) => k === 'downloadedAt' || existing?.metadata[k] === v);
    const settle = (downloaded: boolean, bytes: number) => storedOutcome(destination, identity, bytes, downloaded, hadRecord);
    if (existing?.metadataComplete && existing.md5 === md5 && sameSource) return settle(false, existing.bytes);
    await writeCutFields(destination, identity, cut);
    try {
      const object = await destination.writeObject(path, Readable.from([body]), {
        contentType: 'application/json',
        metadata,
        replace: existing,
        expectedBytes: body.length,
        signal: currentActivity().signal,
      });
      deps.metrics?.bytesMoved(identity.kind, object.bytes);
      deps.logger?.info({ ...identity, bytes: object.bytes, path, replaced: existing !== undefined }, 'stored');
      return settle(true, object.bytes);
    } catch (err) {
      // Another writer of the same answer got there first.
      if (err instanceof ObjectAlreadyExistsError) {
        const current = await destination.stat(path);
        if (current?.metadataComplete && current.md5 === md5) return settle(false, current.bytes);
      }
      throw err;
    }
  }

  return heartbeatingActivities({
    async fetchSessionDetails(input: SessionDetailsInput): Promise<AssetOutcome> {
      return withFailureMapping(async () => {
        const destination = deps.openDestination(input.dest);
        const identity: AssetIdentity = { kind: 'details', testId: input.testId, sessionId: input.sessionId };
        const source = sessionSource(input.session);
        let details;
        try {
          details = await deps.api.getSessionDetails(input.sessionId);
        } catch (err) {
          if (err instanceof NotFoundError) return absent(destination, identity, 'no session details: the API has none for this session (404)', source);
          throw err;
        }
        return storeAnswer(
          destination,
          detailsPath(input.testId, input.sessionId),
          identity,
          details,
          { ...source, participantId: details.sessionParticipant?.participantId ?? undefined },
          input.hadRecord,
        );
      });
    },

    async fetchQxScore(input: QxScoreInput): Promise<AssetOutcome> {
      return withFailureMapping(async () => {
        const destination = deps.openDestination(input.dest);
        const identity: AssetIdentity = { kind: 'qxscore', testId: input.testId };
        const source: SourceFields = { sessionsListed: input.sessionsListed };
        let scores;
        try {
          scores = await deps.api.getQxScores(input.testId);
        } catch (err) {
          // What the API answers for a test that is no interaction test is not documented: a 404 or a 400 both mean none.
          if (err instanceof NotFoundError || err instanceof BadRequestError)
            return absent(destination, identity, 'no QXscore: the API has none for this test; only interaction tests have one', source);
          throw err;
        }
        return storeAnswer(
          destination,
          qxScorePath(input.testId),
          identity,
          scores,
          { ...source, completes: scores.meta.completes, totalQxTasks: scores.meta.totalQxTasks },
          input.hadRecord,
        );
      });
    },
  });
}
