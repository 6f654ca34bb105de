import type { ActivityDeps } from './deps';
import { withFailureMapping } from './failures';
import { NotFoundError } from '../usertesting/errors';
import { recordOf, removeRecord, writeRecord } from './asset-records';
import type { Clip, Reel } from '../usertesting/schemas';
import type { SessionSummary } from '../contract/inputs';
import { heartbeatingActivities } from './activity-context';

export interface SessionPage {
  sessions: SessionSummary[];
  /** The page size the server really applied (it may be below the one asked for). */
  limit: number;
  offset: number;
  totalCount: number;
}

export type ClipListing = { found: true; clips: Clip[] } | { found: false; reason: string };
export type ReelListing = { found: true; reels: Reel[] } | { found: false; reason: string };

/** Listing activities: one API request each, on the rate-limited API task queue. */
export function createListingActivities(deps: ActivityDeps) {
  return heartbeatingActivities({
    async listSessionsPage(input: { testId: string; offset: number; limit: number }): Promise<SessionPage> {
      return withFailureMapping(async () => {
        const page = await deps.api.listSessions(input.testId, input.offset, input.limit);
        const { limit, offset, totalCount } = page.meta.pagination;
        return { sessions: page.sessions, limit, offset, totalCount };
      });
    },

    async listReels(input: { testId: string }): Promise<ReelListing> {
      return withFailureMapping(async () => {
        try {
          const list = await deps.api.listReels(input.testId);
          return { found: true as const, reels: list.reels };
        } catch (err) {
          if (err instanceof NotFoundError) return { found: false as const, reason: 'the API has no highlight reels for this test (404)' };
          throw err;
        }
      });
    },

    /**
     * A 404 is recorded at the destination (not asked again within the re-check age); a success clears
     * an old record. `readOnly` (a plan): the destination is left as it is.
     */
    async listClips(input: { dest: string; testId: string; sessionId: string; hadRecord?: boolean; readOnly?: boolean }): Promise<ClipListing> {
      return withFailureMapping(async () => {
        const destination = deps.openDestination(input.dest);
        const identity = { kind: 'clip' as const, testId: input.testId, sessionId: input.sessionId };
        try {
          const list = await deps.api.listClips(input.sessionId);
          if (input.hadRecord && !input.readOnly) await removeRecord(destination, identity);
          return { found: true as const, clips: list.clips };
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
          const reason = 'no clips for this session: its product type has no session video (404)';
          if (input.readOnly) return { found: false as const, reason };
          const outcome = { ...identity, status: 'skipped' as const, reason, downloaded: false, notFound: true };
          await writeRecord(destination, recordOf(outcome, (deps.now?.() ?? new Date()).toISOString()));
          return { found: false as const, reason };
        }
      });
    },
  });
}
