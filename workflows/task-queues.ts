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
export const reelsWorkflowId = (testWorkflowIdOfParent: string) => `${testWorkflowIdOfParent}-reels`;
export const generationWorkflowId = (assetId: string) => `ut-media-generation-${assetId.toLowerCase()}`;
export const testsWorkflowId = (runId: string) => `ut-media-tests-${runId}`;
