/** Picks the destination implementation for a parsed spec. */
import type { Destination, DestinationSpec, StorageDeps } from './destination';
import { createGcsClient } from './gcs-client';
import { GcsDestination } from './gcs-destination';
import { LocalDestination } from './local-destination';

/**
 * Opens a destination. Cheap and offline: nothing is contacted or created until the first call.
 * gs:// uses `deps.storage` when given, else a client built from the environment.
 */
export function openDestination(spec: DestinationSpec, deps: StorageDeps = {}): Destination {
  switch (spec.scheme) {
    case 'gs':
      return new GcsDestination(spec, deps.storage ?? createGcsClient());
    case 'file':
      return new LocalDestination(spec);
    default: {
      const never: never = spec;
      throw new Error(`unknown destination scheme in ${JSON.stringify(never)}`);
    }
  }
}
