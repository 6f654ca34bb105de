/**
 * Two task queues per deployment. `<prefix>` runs workflows and storage-only activities;
 * `<prefix>-api` runs every activity that makes a Results API request, and carries the server-side
 * rate limit that makes the API budget cluster-wide (see workers/api-budget.ts).
 */
export const DEFAULT_TASK_QUEUE = 'ut-media';

export function apiTaskQueue(prefix: string): string {
  return `${prefix}-api`;
}

export const testWorkflowId = (testId: string) => `ut-media-test-${testId.toLowerCase()}`;
export const sessionWorkflowId = (sessionId: string) => `ut-media-session-${sessionId.toLowerCase()}`;
/** The reels child of a parent, per destination: a leftover child writing elsewhere is never taken for ours. */
export const reelsWorkflowId = (testWorkflowIdOfParent: string, dest: string) => `${testWorkflowIdOfParent}-reels-${fnv1a(dest)}`;
export const generationWorkflowId = (assetId: string) => `ut-media-generation-${assetId.toLowerCase()}`;
export const testsWorkflowId = (runId: string) => `ut-media-tests-${runId}`;

/** FNV-1a, 32 bits, as 8 hex digits: a short stable tag of a string (not a security hash). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
