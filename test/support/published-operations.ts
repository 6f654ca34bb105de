/**
 * Which published operation each client call is, and which field of its answer names the thing
 * asked for (an answer about something else is not an answer to the request).
 */
import type { ApiOperation } from '../../usertesting/errors';
import type { PublishedDescription, PublishedOperation } from './published-description';

export type ClientOperation = Exclude<ApiOperation, 'token' | 'media'>;

export const PUBLISHED_OPERATION_IDS: Record<ClientOperation, string> = {
  listSessions: 'SessionResultsController_getSessionSummaryResults',
  listReels: 'TestResultsController_getHighlightReels',
  reelDetail: 'TestResultsController_getReelDetails',
  listClips: 'SessionResultsController_getClips',
  clipDetail: 'SessionResultsController_getClipDetails',
  videoDownloadUrl: 'SessionResultsController_getVideoDownloadUrl',
  transcript: 'SessionResultsController_getTranscriptVtt',
  sessionDetails: 'SessionResultsV3Controller_getSessionResults',
  qxScores: 'TestResultsController_getQxScoreResponse',
};

export const CLIENT_OPERATIONS = Object.keys(PUBLISHED_OPERATION_IDS) as ClientOperation[];

/** The ids one call asks about (lower case, as the workflows pass them). */
export interface AskedIds {
  testId: string;
  sessionId: string;
  reelId: string;
  clipId: string;
}

/** The answer field that names what was asked for, and which asked id it must be. */
export const SUBJECT_FIELDS: Partial<Record<ClientOperation, { field: string; asked: keyof AskedIds }>> = {
  listSessions: { field: 'testId', asked: 'testId' },
  reelDetail: { field: 'reelId', asked: 'reelId' },
  clipDetail: { field: 'clipUuid', asked: 'clipId' },
  videoDownloadUrl: { field: 'sessionId', asked: 'sessionId' },
  sessionDetails: { field: 'sessionId', asked: 'sessionId' },
  qxScores: { field: 'testId', asked: 'testId' },
};

/** True unless the answer's subject field names something other than what was asked (any case; null names nothing). */
export function isAboutAsked(operation: ClientOperation, answer: unknown, asked: AskedIds): boolean {
  const subject = SUBJECT_FIELDS[operation];
  if (!subject) return true;
  const value = (answer as Record<string, unknown>)[subject.field];
  return value === null || (typeof value === 'string' && value.toLowerCase() === asked[subject.asked].toLowerCase());
}

export function publishedOperation(description: PublishedDescription, operation: ClientOperation): PublishedOperation {
  const found = description.operations.find((op) => op.operationId === PUBLISHED_OPERATION_IDS[operation]);
  if (!found) throw new Error(`the description has no operation ${PUBLISHED_OPERATION_IDS[operation]} (${operation})`);
  return found;
}

/** The path a call about `asked` must request: the template with the asked ids in place. */
export function requestPath(op: PublishedOperation, asked: AskedIds): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const key = (name === 'clipUuid' ? 'clipId' : name) as keyof AskedIds;
    if (!(key in asked)) throw new Error(`${op.operationId}: no asked id for the path parameter ${name}`);
    return asked[key];
  });
}

/** The operation's path template as a pattern, each `{param}` one path segment. */
export function pathPattern(op: PublishedOperation): RegExp {
  const escaped = op.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${escaped}$`);
}
