import type { Logger } from 'pino';
import type { ActivityDeps } from '../activities';
import { requireCredentials, type Settings } from '../config/settings';
import { createGcsClient, createS3Client, openDestination, parseDestination, type Destination, type StorageDeps } from '../storage';
import { createResultsApiClient } from '../usertesting/results-api-client';
import { createTokenProvider } from '../usertesting/token-provider';

/** The real dependencies of the activities in a worker process, built from settings. */
export function buildActivityDeps(settings: Settings, logger?: Logger): ActivityDeps {
  const credentials = requireCredentials(settings);
  const tokens = createTokenProvider({ credentials, tokenUrl: settings.tokenUrl });
  const api = createResultsApiClient({ baseUrl: settings.apiBaseUrl, tokens });
  // One client per store and process, made when first needed: each keeps its own connection pool.
  let gcs: ReturnType<typeof createGcsClient> | undefined;
  let s3: ReturnType<typeof createS3Client> | undefined;
  const clientFor = (scheme: string): StorageDeps => (scheme === 'gs' ? { storage: (gcs ??= createGcsClient()) } : scheme === 's3' ? { s3: (s3 ??= createS3Client()) } : {});
  const cache = new Map<string, Destination>();
  return {
    api,
    logger,
    openDestination(uri) {
      let destination = cache.get(uri);
      if (!destination) {
        const spec = parseDestination(uri);
        destination = openDestination(spec, clientFor(spec.scheme));
        cache.set(uri, destination);
      }
      return destination;
    },
  };
}
