import type { ActivityDeps } from './deps';
import { createContextActivities } from './context-activities';
import { createListingActivities } from './listing-activities';
import { createMediaActivities } from './media-activities';
import { createStorageActivities as createDestinationActivities } from './storage-activities';
import { createWithdrawalActivities } from './withdrawal-activities';
import { countingApiRequests } from './request-count';

export type { ActivityDeps } from './deps';

/** Activities that make Results API requests: registered only on the rate-limited API task queue. */
export function createApiActivities(deps: ActivityDeps) {
  return countingApiRequests({ ...createListingActivities(deps), ...createMediaActivities(deps), ...createContextActivities(deps) });
}

/** Activities that only touch the destination: registered on the main task queue. */
export function createStorageActivities(deps: ActivityDeps) {
  return { ...createDestinationActivities(deps), ...createWithdrawalActivities(deps) };
}

/** Every activity, for typing the workflows' proxies. */
export function createActivities(deps: ActivityDeps) {
  return { ...createApiActivities(deps), ...createStorageActivities(deps) };
}

export type ApiActivities = ReturnType<typeof createApiActivities>;
export type StorageActivities = ReturnType<typeof createStorageActivities>;
