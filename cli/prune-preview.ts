import type { TestPlan } from '../contract/plan-types';
import { parsePruneLimit, pruneDecision, WITHDRAWABLE_LISTS, type WithdrawableList } from '../contract/withdrawals';

/** What `ingest --prune` would do with one list's withdrawn members: remove them, or refuse (the run would exit 1). */
export type ListPrunePreview = { wouldPrune: number; objects: number; bytes: number } | { refused: string };
export type PrunePreview = Partial<Record<WithdrawableList, ListPrunePreview>>;

/**
 * `ingest --dry-run --prune`: the prune decision of a real run, made on the plan's listing with the
 * same rule (a complete listing, within --prune-max), so the preview and the run agree.
 */
export function prunePreview(plan: TestPlan, pruneMax: string | number): PrunePreview {
  const limit = parsePruneLimit(pruneMax);
  if (!limit) throw new Error(`pruneMax ${pruneMax} was not validated`);
  const preview: PrunePreview = {};
  for (const list of WITHDRAWABLE_LISTS) {
    const planned = plan.withdrawn?.[list];
    if (!planned) continue;
    const review = { ...planned, withdrawn: planned.count };
    const decision = pruneDecision(review, limit, list);
    preview[list] = decision.prune ? { wouldPrune: planned.count, objects: planned.objects, bytes: planned.bytes } : { refused: decision.refused };
  }
  return preview;
}

/** The reasons a previewed prune would be refused. */
export function previewRefusals(preview: PrunePreview): string[] {
  return WITHDRAWABLE_LISTS.flatMap((list) => {
    const p = preview[list];
    return p && 'refused' in p ? [p.refused] : [];
  });
}

/** `  --prune would remove 2 sessions (7 objects, 0.1 MiB)` or `  --prune REFUSED for sessions: ...`. */
export function prunePreviewLines(preview: PrunePreview): string[] {
  return WITHDRAWABLE_LISTS.flatMap((list) => {
    const p = preview[list];
    if (!p) return [];
    if ('refused' in p) return [`  --prune REFUSED for ${list}: ${p.refused}`];
    return [`  --prune would remove ${p.wouldPrune} ${list} (${p.objects} objects, ${(p.bytes / 1048576).toFixed(1)} MiB)`];
  });
}
