/**
 * The library entry `ut-media`, for a host's worker and client processes (Node). A host's workflow
 * code imports `ut-media/workflows` instead: this module pulls in HTTP and storage clients, which a
 * workflow bundle rejects.
 */
export * from './workflows';
export { DEFAULT_RUN_OPTIONS, DEFAULT_PRUNE_MAX } from './contract/inputs';
export { DEFAULT_TASK_QUEUE, apiTaskQueue, testWorkflowId, sessionWorkflowId } from './contract/task-queues';
export { SEARCH_ATTRIBUTES } from './contract/search-attributes';

export { createActivities, createApiActivities, createStorageActivities } from './activities';
export type { ActivityDeps, ApiActivities, StorageActivities } from './activities';
export type { ActivityLogger } from './activities/deps';
export { buildActivityDeps } from './workers/activity-deps';
export { loadSettings, ConfigError, type Settings, type Credentials } from './config/settings';
export { runOptionsFromSettings } from './config/run-options';

export { createWorkers, createWorkersFromSettings, apiWorkerOptions, type WorkerSetup, type UtMediaWorkers } from './workers/create-workers';
export { choosePacing, serverPacing, workerPacing, type ApiPacing } from './workers/api-pacing';
export { apiActivitiesPerSecond } from './workers/api-budget';
