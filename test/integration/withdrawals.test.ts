import crypto from 'node:crypto';
import type { IngestSummary } from '../../contract/asset-types';
import { manifestLinesPath, manifestPath } from '../../contract/asset-paths';
import type { TestPlan } from '../../contract/plan-types';
import type { Manifest } from '../../activities/manifest';
import { manifestLineSchema } from '../../activities/manifest-lines';
import { runVerify } from '../../cli/verify-command';
import type { Destination } from '../../storage';
import { BACKENDS, type StoreUnderTest } from '../support/destination-backends';
import { createPipelineFixture, runOptions, type PipelineFixture } from '../support/pipeline-fixture';

const KiB = 1024;
/** Ten small sessions, two of them with a clip, and four reels: the API later stops listing two sessions and a reel (25 % of the reels). */
const scenario = {
  seed: 2203,
  rateLimit: { limit: 6000, windowMs: 60_000 },
  pageCap: 4,
  generation: { generatingMs: 30 },
  tests: [
    {
      sessions: Array.from({ length: 10 }, (_, i) => ({ videoBytes: 3 * KiB, clips: i < 2 ? [{ bytes: 2 * KiB }] : [] })),
      reels: Array.from({ length: 4 }, () => ({ bytes: 2 * KiB })),
    },
  ],
};

async function readText(destination: Destination, relativePath: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of destination.readObject(relativePath)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function verifyQuietly(testId: string, dest: string): Promise<number> {
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return await runVerify({ test: testId, dest, json: true });
  } finally {
    write.mockRestore();
  }
}

describe.each(BACKENDS.map((b) => [b.name, b] as const))('withdrawn sessions and reels into %s', (_name, backend) => {
  let fx: PipelineFixture;
  let store: StoreUnderTest;
  let destination: Destination;
  let testId: string;
  let sessionIds: string[];
  let withdrawnSessions: string[];
  let withdrawnReel: string;
  let namesArchived: string[];
  let plan: TestPlan;
  let plain: IngestSummary;
  let namesAfterPlain: string[];
  let pruned: IngestSummary;
  let namesAfterPrune: string[];
  let manifest: Manifest;

  const ingest = (extra: { prune?: boolean; pruneMax?: string } = {}) => fx.ingest({ testId, dest: destination.uri, ...extra });

  beforeAll(async () => {
    fx = await createPipelineFixture(scenario);
    store = await backend.newStore();
    destination = store.destination(`wd-${crypto.randomUUID().slice(0, 6)}`);
    await fx.startWorkers();
    const test = fx.sim.scenario.tests[0];
    testId = test.testId;
    sessionIds = test.sessions.map((s) => s.sessionId);
    withdrawnSessions = [sessionIds[0], sessionIds[5]].sort();
    withdrawnReel = test.reels[1].uuid;
    expect((await ingest()).failed).toBe(0);
    namesArchived = await store.names();
    fx.sim.withdraw([...withdrawnSessions, withdrawnReel]);
    plan = (await fx.client.workflow.execute('planTestResult', {
      taskQueue: fx.settings.taskQueue,
      workflowId: `ut-media-plan-${crypto.randomUUID()}`,
      args: [{ testId, dest: destination.uri, options: runOptions(fx.settings) }],
    })) as TestPlan;
    plain = await ingest();
    namesAfterPlain = await store.names();
    pruned = await ingest({ prune: true });
    namesAfterPrune = await store.names();
    manifest = JSON.parse(await readText(destination, manifestPath(testId))) as Manifest;
  });
  afterAll(async () => {
    await fx?.close();
    await store?.remove();
  });

  test('plan --json reports the 2 withdrawn sessions with their ids, objects and bytes, and the withdrawn reel', () => {
    expect(plan.withdrawn?.sessions).toMatchObject({ complete: true, archived: 10, count: 2, ids: withdrawnSessions });
    // video, transcript, details each; the clip of the first session.
    expect(plan.withdrawn?.sessions?.objects).toBe(7);
    expect(plan.withdrawn?.sessions?.bytes).toBeGreaterThan(2 * 3 * KiB);
    expect(plan.withdrawn?.reels).toMatchObject({ complete: true, archived: 4, count: 1, ids: [withdrawnReel] });
  });

  test('a plain ingest deletes nothing and marks both sessions (and the reel) withdrawn in the summary', () => {
    expect(plain.failed).toBe(0);
    expect(plain.withdrawals).toMatchObject({ sessions: { complete: true, archived: 10, withdrawn: 2, pruned: 0 }, reels: { withdrawn: 1, pruned: 0 } });
    const lost = namesArchived.filter((name) => !namesAfterPlain.includes(name));
    expect(lost).toEqual([]);
  });

  test('ingest --prune removes exactly the withdrawn objects, leaves the 8 other sessions untouched, and keeps tombstones', () => {
    expect(pruned.failed).toBe(0);
    expect(pruned.withdrawals).toMatchObject({ sessions: { pruned: 2, withdrawn: 0, archived: 8 }, reels: { pruned: 1, withdrawn: 0 } });
    const gone = namesArchived.filter((name) => !namesAfterPrune.includes(name));
    const ofWithdrawn = (name: string) => [...withdrawnSessions, withdrawnReel].some((id) => name.includes(id));
    expect(gone.length).toBeGreaterThan(0);
    expect(gone.filter((name) => !ofWithdrawn(name))).toEqual([]);
    // Nothing of theirs remains but the tombstones.
    expect(namesAfterPrune.filter((name) => ofWithdrawn(name) && !name.includes('/_ut-media/pruned/'))).toEqual([]);
    for (const id of sessionIds.filter((id) => !withdrawnSessions.includes(id))) {
      expect(namesAfterPrune.filter((name) => name.includes(id))).toEqual(namesArchived.filter((name) => name.includes(id)));
    }
  });

  test('the manifest has the tombstones (what, when, bytes), no withdrawn asset, and manifest.jsonl loads as one table; verify passes', async () => {
    expect(manifest.pruned?.map((t) => t.sessionId ?? t.reelId).sort()).toEqual([...withdrawnSessions, withdrawnReel].sort());
    for (const t of manifest.pruned ?? []) {
      expect(t).toMatchObject({ status: 'pruned', testId, firstMissedAt: expect.any(String), prunedAt: expect.any(String) });
      expect(t.bytes).toBeGreaterThan(0);
    }
    expect(manifest.pruned?.find((t) => t.sessionId === sessionIds[0])?.removedKinds).toMatchObject({ video: 1, transcript: 1, details: 1, clip: 1 });
    expect(manifest.assets.filter((a) => a.sessionId && withdrawnSessions.includes(a.sessionId))).toEqual([]);
    const lines = (await readText(destination, manifestLinesPath(testId))).trim().split('\n');
    for (const line of lines) manifestLineSchema.parse(JSON.parse(line));
    expect(lines.map((l) => JSON.parse(l) as { status: string }).filter((l) => l.status === 'pruned')).toHaveLength(3);
    expect(await verifyQuietly(testId, destination.uri)).toBe(0);
  });

  if (backend.name !== 'folder') return;

  test('a withdrawn session that comes back is archived again and its mark goes; too large a share prunes nothing and exits 1 until --prune-max 100%', async () => {
    fx.sim.restore([withdrawnSessions[0]]);
    const back = await ingest();
    expect(back.failed).toBe(0);
    expect(back.counts.video.stored).toBe(9);
    // The archive's count comes from the manifest of the run before, which did not have it yet.
    expect(back.withdrawals?.sessions).toMatchObject({ withdrawn: 0 });
    expect(await store.names()).toEqual(expect.arrayContaining(namesArchived.filter((n) => n.includes(withdrawnSessions[0]) && n.endsWith('session.mp4'))));

    // The API lists only 2 of the 9 archived sessions: a plain run marks 7, a prune refuses.
    const listed = sessionIds.filter((id) => id !== withdrawnSessions[1]);
    fx.sim.withdraw(listed.slice(2));
    const marked = await ingest();
    const marks = JSON.parse(await readText(destination, manifestPath(testId))) as Manifest;
    const withdrawnAssets = marks.assets.filter((a) => a.status === 'withdrawn');
    expect(new Set(withdrawnAssets.map((a) => a.sessionId)).size).toBe(7);
    expect(withdrawnAssets.every((a) => typeof a.firstMissedAt === 'string')).toBe(true);
    const jsonl = (await readText(destination, manifestLinesPath(testId)))
      .trim()
      .split('\n')
      .map((l) => manifestLineSchema.parse(JSON.parse(l)));
    expect(jsonl.filter((l) => l.status === 'withdrawn').every((l) => l.first_missed_at !== null)).toBe(true);
    expect(marked.withdrawals?.sessions?.withdrawn).toBe(7);

    const before = await store.names();
    const refused = await ingest({ prune: true });
    expect(refused.withdrawals?.sessions?.pruneRefused).toMatch(/nothing pruned: 7 of 9 archived sessions are withdrawn, more than --prune-max 25%/);
    expect(await store.names()).toEqual(before);

    const all = await ingest({ prune: true, pruneMax: '100%' });
    expect(all.withdrawals?.sessions).toMatchObject({ pruned: 7, withdrawn: 0, archived: 2 });
    expect(all.withdrawals?.sessions?.pruneRefused).toBeUndefined();
  });
});
