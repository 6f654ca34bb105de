import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectAlreadyExistsError, type Destination } from '../storage';
import { NotFoundError } from '../usertesting/errors';
import { detailsPath, qxScorePath } from '../workflows/asset-paths';
import type { AssetIdentity, AssetOutcome } from '../workflows/asset-types';
import type { SessionSummary } from '../workflows/inputs';
import { currentActivity } from './activity-context';
import { recordOf, removeRecord, writeRecord } from './asset-records';
import type { ActivityDeps } from './deps';
import { withFailureMapping } from './failures';
import { sessionSource } from './media-activities';
import { fitMetadata } from './metadata-limits';
import { objectMetadata, type SourceFields } from './object-metadata';

/** `hadRecord`: the asset has a record (skipped or failed earlier) that storing it now makes obsolete. */
export interface SessionDetailsInput { dest: string; testId: string; sessionId: string; session?: SessionSummary; hadRecord?: boolean }
/** `sessionsListed`: the session list's count now, kept with the object to tell later runs whether to ask again. */
export interface QxScoreInput { dest: string; testId: string; sessionsListed?: number; hadRecord?: boolean }

/**
 * The session context analysts join the media with: a session's details (v3) and a test's QXscores.
 * One API request each; the answer is stored as JSON only when it differs from what is stored.
 */
export function createContextActivities(deps: ActivityDeps) {
  const now = deps.now ?? (() => new Date());

  async function absent(destination: Destination, identity: AssetIdentity, reason: string, source: SourceFields): Promise<AssetOutcome> {
    const outcome: AssetOutcome = { ...identity, status: 'skipped', reason, downloaded: false, notFound: true };
    await writeRecord(destination, recordOf(outcome, now().toISOString(), source));
    return outcome;
  }

  /** Writes `answer` unless the stored object already has these bytes and this metadata; replaces an older answer. */
  async function storeAnswer(destination: Destination, path: string, identity: AssetIdentity, answer: unknown, source: SourceFields, hadRecord: boolean | undefined): Promise<AssetOutcome> {
    const body = Buffer.from(`${JSON.stringify(answer, null, 2)}\n`, 'utf8');
    const md5 = createHash('md5').update(body).digest('base64');
    const existing = await destination.stat(path);
    const sameSource = Object.entries(source).every(([k, v]) => v === undefined || v === null || existing?.metadata[k] === String(v));
    const settle = async (downloaded: boolean, bytes: number): Promise<AssetOutcome> => {
      if (hadRecord) await removeRecord(destination, identity);
      return { ...identity, status: 'stored', downloaded, bytes };
    };
    if (existing?.metadataComplete && existing.md5 === md5 && sameSource) return settle(false, existing.bytes);
    const { metadata } = fitMetadata(objectMetadata(identity, source, now().toISOString()), destination.metadataBudgetBytes);
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

  return {
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
        return storeAnswer(destination, detailsPath(input.testId, input.sessionId), identity, details, { ...source, participantId: details.sessionParticipant?.participantId ?? undefined }, input.hadRecord);
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
          if (err instanceof NotFoundError) return absent(destination, identity, 'no QXscore: the API has none for this test; only interaction tests have one (404)', source);
          throw err;
        }
        return storeAnswer(destination, qxScorePath(input.testId), identity, scores, { ...source, completes: scores.meta.completes, totalQxTasks: scores.meta.totalQxTasks }, input.hadRecord);
      });
    },
  };
}
