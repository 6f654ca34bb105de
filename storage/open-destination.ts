/** Picks the destination implementation for a parsed spec. */
import type { Destination, DestinationSpec, StorageDeps } from './destination';
import { createAzureClient } from './azure/client';
import { AzureDestination } from './azure/destination';
import { createGcsClient } from './gcs/client';
import { GcsDestination } from './gcs/destination';
import { LocalDestination } from './local/destination';
import { createS3Client } from './s3/client';
import { S3Destination } from './s3/destination';

/**
 * Opens a destination. Cheap and offline: nothing is contacted or created until the first call.
 * gs:// and s3:// use the client in `deps` (`storage`, `s3`) when given, else one built from the
 * environment; az:// likewise `deps.blobService` (a missing connection string or account throws
 * DestinationUnavailableError).
 */
export function openDestination(spec: DestinationSpec, deps: StorageDeps = {}): Destination {
  switch (spec.scheme) {
    case 'gs':
      return new GcsDestination(spec, deps.storage ?? createGcsClient());
    case 's3':
      return new S3Destination(spec, deps.s3 ?? createS3Client());
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
