import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPE } from '../../contract/failure-types';
import { WorkflowHarness, pagedList, sessionsOf, uuid } from '../support/time-skipping';

/** The prune decision in workflow code, from the listing's facts (time-skipping, stubbed activities). */
describe('ingestTestResult: when withdrawn sessions may be pruned', () => {
  let h: WorkflowHarness;
  beforeAll(async () => {
    h = await WorkflowHarness.start('ut-media-withdrawals');
  });
  afterEach(() => h.reset());
  afterAll(() => h?.close());

  const testId = uuid(21);
  const dest = 'mem://bucket';

  test('a listing that fails part-way prunes nothing, whatever the flags: the review is told, no prune activity runs', async () => {
    const listings: unknown[] = [];
    let pruneCalls = 0;
    h.stubs.api.listSessionsPage = async (input) => {
      if (input.offset > 0) throw ApplicationFailure.nonRetryable('page keeps failing', 'UnexpectedAnswer');
      return pagedList(sessionsOf(6))(input);
    };
    // The review as the activity makes it: complete only when the workflow says the list was read in full.
    h.stubs.storage.reviewWithdrawals = async (input) => {
      listings.push(input.lists);
      const listed = input.lists.sessions!;
      return {
        sessions: {
          complete: listed.listedInFull,
          incompleteReason: listed.listedInFull ? undefined : listed.reason,
          archived: 6,
          withdrawn: 2,
          objects: 6,
          bytes: 60,
        },
      };
    };
    h.stubs.storage.pruneWithdrawn = async () => {
      pruneCalls += 1;
      return { pruned: 2, objects: 6, bytes: 60, remaining: 0 };
    };
    const summary = await h.ingest({ testId, dest, only: 'videos', prune: true, pruneMax: '100%', options: { sessionsPerRun: 3 } });
    expect(listings).toEqual([{ sessions: { listedInFull: false, reason: 'the session list failed part-way in this run' } }]);
    expect(pruneCalls).toBe(0);
    expect(summary.listsFailed).toBe(1);
    expect(summary.withdrawals?.sessions?.pruneRefused).toMatch(/^nothing pruned: the session list failed part-way/);
  });

  test('within the limit, withdrawn sessions are pruned in batches until none remain; --session runs review nothing', async () => {
    const batches: number[] = [];
    let remaining = 120;
    h.stubs.api.listSessionsPage = pagedList(sessionsOf(3));
    h.stubs.storage.reviewWithdrawals = async () => ({ sessions: { complete: true, archived: 500, withdrawn: 120, objects: 360, bytes: 3600 } });
    h.stubs.storage.pruneWithdrawn = async ({ limit }) => {
      const pruned = Math.min(limit, remaining);
      remaining -= pruned;
      batches.push(pruned);
      return { pruned, objects: 3 * pruned, bytes: 30 * pruned, remaining };
    };
    const summary = await h.ingest({ testId, dest, only: 'videos', prune: true });
    expect(batches).toEqual([50, 50, 20]);
    expect(summary.withdrawals?.sessions).toMatchObject({ pruned: 120, withdrawn: 0, archived: 380, prunedObjects: 360 });

    let reviewed = false;
    h.stubs.storage.reviewWithdrawals = async () => {
      reviewed = true;
      return {};
    };
    const chosen = await h.ingest({ testId, dest, only: 'videos', sessionIds: [sessionsOf(3)[0].sessionId] });
    expect(reviewed).toBe(false);
    expect(chosen.withdrawals).toBeUndefined();
  });

  test('prune with sessionIds (as the Temporal UI allows) fails at once, not retried, typed, before any activity', async () => {
    let calls = 0;
    h.stubs.api.listSessionsPage = async (input) => {
      calls += 1;
      return pagedList(sessionsOf(3))(input);
    };
    const failed = await h.ingest({ testId, dest, prune: true, sessionIds: [sessionsOf(3)[0].sessionId] }).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    const cause = (failed as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: FAILURE_TYPE.InvalidInput, nonRetryable: true });
    expect(cause?.message).toBe(
      'invalid ingestTestResult input: prune: prune needs the whole session list and cannot go with sessionIds: leave out one of them',
    );
    expect(calls).toBe(0);
  });
});
