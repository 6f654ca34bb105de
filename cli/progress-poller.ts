import type { Client, WorkflowHandle } from '@temporalio/client';
import type { ProgressSnapshot } from '../contract/asset-types';
import type { AssetSelection } from '../contract/inputs';
import { progressQuery } from '../contract/progress-query';
import { reelsWorkflowId } from '../contract/task-queues';
import type { ProgressDisplay } from './progress-display';
import type { RunView } from './progress-lines';

export interface FollowedRun {
  handle: WorkflowHandle;
  /** Names the reels child; unknown (`status --wait`): its progress is not shown until it reports. */
  dest?: string;
  only: readonly AssetSelection[];
}

/** Session children asked per round: their progress shows what happens inside them before they finish. */
const CHILDREN_ASKED_PER_ROUND = 12;
const FINAL_ROUND_MS = 3000;

/**
 * Asks each run for its progress every `everyMs` (one round at a time per run): the parent, its
 * reels child until it has reported, and some of its running session children (round-robin), and
 * hands the latest views to the display. `finish` shows the final state once more and stops; `stop` just stops.
 */
export function pollProgress(client: Client, runs: FollowedRun[], display: ProgressDisplay, everyMs: number): { finish(): Promise<void>; stop(): void } {
  const views = new Map<string, RunView>();
  const children = new Map<string, Map<string, ProgressSnapshot>>();
  const cursor = new Map<string, number>();
  const asking = new Set<string>();
  const ask = (id: string) =>
    client.workflow
      .getHandle(id)
      .query(progressQuery)
      .catch(() => undefined) as Promise<ProgressSnapshot | undefined>;

  const round = async (run: FollowedRun) => {
    const id = run.handle.workflowId;
    const snapshot = (await run.handle.query(progressQuery)) as ProgressSnapshot;
    const reels = !snapshot.reelsDone && run.only.includes('reels') && run.dest !== undefined ? await ask(reelsWorkflowId(id, run.dest)) : undefined;
    const known = children.get(id) ?? new Map<string, ProgressSnapshot>();
    if (snapshot.sessionsInFlight) {
      const pending = ((await run.handle.describe()).raw.pendingChildren ?? [])
        .filter((c) => c.workflowTypeName === 'ingestSession' && c.workflowId)
        .map((c) => c.workflowId!);
      for (const childId of known.keys()) if (!pending.includes(childId)) known.delete(childId);
      const start = (cursor.get(id) ?? 0) % Math.max(1, pending.length);
      const batch = [...pending, ...pending].slice(start, start + Math.min(CHILDREN_ASKED_PER_ROUND, pending.length));
      cursor.set(id, start + batch.length);
      for (const [childId, child] of await Promise.all(batch.map(async (c) => [c, await ask(c)] as const))) if (child) known.set(childId, child);
    } else known.clear();
    children.set(id, known);
    views.set(id, { snapshot, reels, inFlight: [...known.values()], only: run.only });
  };

  const show = () => {
    const known = runs.map((r) => views.get(r.handle.workflowId)).filter((v): v is RunView => v !== undefined);
    if (known.length) display.update(known);
  };
  const timer = setInterval(() => {
    for (const run of runs) {
      if (asking.has(run.handle.workflowId)) continue;
      asking.add(run.handle.workflowId);
      round(run)
        .catch(() => undefined)
        .finally(() => asking.delete(run.handle.workflowId));
    }
    show();
  }, everyMs);
  return {
    stop: () => clearInterval(timer),
    async finish() {
      clearInterval(timer);
      // A run that cannot answer (its workflow task failing) must not hold the summary up.
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(runs.map((run) => round(run).catch(() => undefined))), new Promise((r) => (timeout = setTimeout(r, FINAL_ROUND_MS)))]);
      clearTimeout(timeout);
      show();
    },
  };
}
