/** Picks the destination implementation for a parsed spec. */
import type { Destination, DestinationSpec, StorageDeps } from './destination';
import { createAzureClient } from './azure-client';
import { AzureDestination } from './azure-destination';
import { createGcsClient } from './gcs-client';
import { GcsDestination } from './gcs-destination';
import { LocalDestination } from './local-destination';

/**
 * Opens a destination. Cheap and offline: nothing is contacted or created until the first call.
 * gs:// uses `deps.storage` when given, else a client built from the environment; az:// likewise
 * `deps.blobService` (a missing connection string or account throws DestinationUnavailableError).
 */
export function openDestination(spec: DestinationSpec, deps: StorageDeps = {}): Destination {
  switch (spec.scheme) {
    case 'gs':
      return new GcsDestination(spec, deps.storage ?? createGcsClient());
    case 'az':
      return new AzureDestination(spec, deps.blobService ?? createAzureClient(spec.account));
    case 'file':
      return new LocalDestination(spec);
    default: {
      const never: never = spec;
      throw new Error(`unknown destination scheme in ${JSON.stringify(never)}`);
    }
  }
}
