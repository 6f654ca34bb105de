import crypto from 'node:crypto';
import type { IngestSummary } from '../../contract/asset-types';
import { manifestLinesPath, manifestPath } from '../../contract/asset-paths';
import type { TestPlan } from '../../contract/plan-types';
import type { Manifest } from '../../contract/manifest-types';
import { manifestLineSchema } from '../../activities/manifest-lines';
import { runVerify } from '../../cli/verify-command';
import type { Destination } from '../../storage';
import { BACKENDS, type StoreUnderTest } from '../support/destination-backends';
import { createPipelineFixture, runOptions, type PipelineFixture } from '../support/pipeline-fixture';
import { readAll } from '../support/generated-source';

const KiB = 1024;
/**
 * A test per destination kind (a session is ingested by one run at a time): ten small sessions, the
 * first with a clip, and four reels. The API later stops listing two sessions and a reel (25 % of the reels).
 */
const scenario = {
  seed: 2203,
  rateLimit: { limit: 6000, windowMs: 60_000 },
  pageCap: 4,
  generation: { generatingMs: 30 },
  tests: BACKENDS.map(() => ({
    sessions: Array.from({ length: 10 }, (_, i) => ({ videoBytes: 3 * KiB, clips: i < 1 ? [{ bytes: 2 * KiB }] : [] })),
    reels: Array.from({ length: 4 }, () => ({ bytes: 2 * KiB })),
  })),
};

async function readText(destination: Destination, relativePath: string): Promise<string> {
  return (await readAll(destination.readObject(relativePath))).toString('utf8');
}

async function verifyQuietly(testId: string, dest: string): Promise<number> {
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return await runVerify({ test: testId, dest, json: true });
  } finally {
    write.mockRestore();
  }
}

/** What one destination (and its test) went through: archived, withdrawn (plan, plain ingest), pruned. */
interface Outcome {
  testId: string;
  sessionIds: string[];
  withdrawnSessions: string[];
  withdrawnReel: string;
  store: StoreUnderTest;
  destination: Destination;
  namesArchived: string[];
  plan?: TestPlan;
  plain?: IngestSummary;
  namesAfterPlain?: string[];
  pruned?: IngestSummary;
  namesAfterPrune?: string[];
  manifest?: Manifest;
}

/**
 * Done-when 1 on every destination kind: one simulator and worker for all four, run side by side
 * (the API withdraws between the steps, for all at once). The comeback and a share above
 * --prune-max are the CLI's, in e2e/cli-withdrawals.test.ts.
 */
describe('withdrawn sessions and reels on every destination kind', () => {
  let fx: PipelineFixture;
  const outcomes = new Map<string, Outcome>();

  beforeAll(async () => {
    fx = await createPipelineFixture(scenario);
    await fx.startWorkers();
    const each = (step: (o: Outcome) => Promise<void>) => Promise.all([...outcomes.values()].map(step));
    const ingest = (o: Outcome, extra: { prune?: boolean } = {}) => fx.ingest({ testId: o.testId, dest: o.destination.uri, ...extra });
    await Promise.all(
      BACKENDS.map(async (backend, i) => {
        const test = fx.sim.scenario.tests[i];
        const sessionIds = test.sessions.map((s) => s.sessionId);
        const store = await backend.newStore();
        const destination = store.destination(`wd-${crypto.randomUUID().slice(0, 6)}`);
        const withdrawnSessions = [sessionIds[0], sessionIds[5]].sort();
        outcomes.set(backend.name, {
          testId: test.testId,
          sessionIds,
          withdrawnSessions,
          withdrawnReel: test.reels[1].uuid,
          store,
          destination,
          namesArchived: [],
        });
      }),
    );
    await each(async (o) => {
      expect((await ingest(o)).failed).toBe(0);
      o.namesArchived = await o.store.names();
    });
    fx.sim.withdraw([...outcomes.values()].flatMap((o) => [...o.withdrawnSessions, o.withdrawnReel]));
    await each(async (o) => {
      o.plan = (await fx.client.workflow.execute('planTestResult', {
        taskQueue: fx.settings.taskQueue,
        workflowId: `ut-media-plan-${crypto.randomUUID()}`,
        args: [{ testId: o.testId, dest: o.destination.uri, options: runOptions(fx.settings) }],
      })) as TestPlan;
      o.plain = await ingest(o);
      o.namesAfterPlain = await o.store.names();
      o.pruned = await ingest(o, { prune: true });
      o.namesAfterPrune = await o.store.names();
      o.manifest = JSON.parse(await readText(o.destination, manifestPath(o.testId))) as Manifest;
    });
  });
  afterAll(async () => {
    await fx?.close();
    await Promise.all([...outcomes.values()].map((o) => o.store.remove()));
  });

  const backends = BACKENDS.map((b) => b.name);

  test.each(backends)('%s: plan --json reports the 2 withdrawn sessions with their ids, objects and bytes, and the withdrawn reel', (name) => {
    const { plan, withdrawnSessions, withdrawnReel } = outcomes.get(name)!;
    expect(plan?.withdrawn?.sessions).toMatchObject({ complete: true, archived: 10, count: 2, ids: withdrawnSessions });
    // video, transcript, details each; the clip of the first session.
    expect(plan?.withdrawn?.sessions?.objects).toBe(7);
    expect(plan?.withdrawn?.sessions?.bytes).toBeGreaterThan(2 * 3 * KiB);
    expect(plan?.withdrawn?.reels).toMatchObject({ complete: true, archived: 4, count: 1, ids: [withdrawnReel] });
  });

  test.each(backends)('%s: a plain ingest deletes nothing and marks both sessions (and the reel) withdrawn in the summary', (name) => {
    const { plain, namesArchived, namesAfterPlain } = outcomes.get(name)!;
    expect(plain?.failed).toBe(0);
    expect(plain?.withdrawals).toMatchObject({ sessions: { complete: true, archived: 10, withdrawn: 2, pruned: 0 }, reels: { withdrawn: 1, pruned: 0 } });
    expect(namesArchived.filter((n) => !namesAfterPlain!.includes(n))).toEqual([]);
  });

  test.each(backends)('%s: ingest --prune removes exactly the withdrawn objects, leaves the 8 other sessions untouched, and keeps tombstones', (name) => {
    const { pruned, namesArchived, namesAfterPrune, sessionIds, withdrawnSessions, withdrawnReel } = outcomes.get(name)!;
    expect(pruned?.failed).toBe(0);
    expect(pruned?.withdrawals).toMatchObject({ sessions: { pruned: 2, withdrawn: 0, archived: 8 }, reels: { pruned: 1, withdrawn: 0 } });
    const gone = namesArchived.filter((n) => !namesAfterPrune!.includes(n));
    const ofWithdrawn = (n: string) => [...withdrawnSessions, withdrawnReel].some((id) => n.includes(id));
    expect(gone.length).toBeGreaterThan(0);
    expect(gone.filter((n) => !ofWithdrawn(n))).toEqual([]);
    // Nothing of theirs remains but the tombstones.
    expect(namesAfterPrune!.filter((n) => ofWithdrawn(n) && !n.includes('/_ut-media/pruned/'))).toEqual([]);
    for (const id of sessionIds.filter((id) => !withdrawnSessions.includes(id))) {
      expect(namesAfterPrune!.filter((n) => n.includes(id))).toEqual(namesArchived.filter((n) => n.includes(id)));
    }
  });

  test.each(backends)(
    '%s: the manifest has the tombstones (what, when, bytes), no withdrawn asset, manifest.jsonl loads as one table; verify passes',
    async (name) => {
      const { manifest, destination, testId, sessionIds, withdrawnSessions, withdrawnReel } = outcomes.get(name)!;
      expect(manifest?.pruned?.map((t) => t.sessionId ?? t.reelId).sort()).toEqual([...withdrawnSessions, withdrawnReel].sort());
      for (const t of manifest?.pruned ?? []) {
        expect(t).toMatchObject({ status: 'pruned', testId, firstMissedAt: expect.any(String), prunedAt: expect.any(String) });
        expect(t.bytes).toBeGreaterThan(0);
      }
      expect(manifest?.pruned?.find((t) => t.sessionId === sessionIds[0])?.removedKinds).toMatchObject({ video: 1, transcript: 1, details: 1, clip: 1 });
      expect(manifest?.assets.filter((a) => a.sessionId && withdrawnSessions.includes(a.sessionId))).toEqual([]);
      const lines = (await readText(destination, manifestLinesPath(testId))).trim().split('\n');
      for (const line of lines) manifestLineSchema.parse(JSON.parse(line));
      expect(lines.map((l) => JSON.parse(l) as { status: string }).filter((l) => l.status === 'pruned')).toHaveLength(3);
      expect(await verifyQuietly(testId, destination.uri)).toBe(0);
    },
  );
});
