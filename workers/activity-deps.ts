import type { Logger } from 'pino';
import type { ActivityDeps } from '../activities';
import { requireCredentials, type Settings } from '../config/settings';
import type { BlobServiceClient } from '@azure/storage-blob';
import { createAzureClient, createGcsClient, openDestination, parseDestination, type Destination } from '../storage';
import { createResultsApiClient } from '../usertesting/results-api-client';
import { createTokenProvider } from '../usertesting/token-provider';
import type { PipelineMetrics } from './metrics';

/** The real dependencies of the activities in a worker process, built from settings. */
export function buildActivityDeps(settings: Settings, logger?: Logger, metrics?: PipelineMetrics): ActivityDeps {
  const credentials = requireCredentials(settings);
  const tokens = createTokenProvider({ credentials, tokenUrl: settings.tokenUrl });
  const api = createResultsApiClient({ baseUrl: settings.apiBaseUrl, tokens, metrics });
  let gcs: ReturnType<typeof createGcsClient> | undefined;
  // One Azure client per account (one in all with a connection string), for the process.
  const azure = new Map<string, BlobServiceClient>();
  const azureClient = (account: string | undefined) => {
    let client = azure.get(account ?? '');
    if (!client) azure.set(account ?? '', (client = createAzureClient(account)));
    return client;
  };
  const cache = new Map<string, Destination>();
  return {
    api,
    logger,
    metrics,
    openDestination(uri) {
      let destination = cache.get(uri);
      if (!destination) {
        const spec = parseDestination(uri);
        destination = openDestination(spec, spec.scheme === 'gs' ? { storage: (gcs ??= createGcsClient()) } : spec.scheme === 'az' ? { blobService: azureClient(spec.account) } : {});
        cache.set(uri, destination);
      }
      return destination;
    },
  };
}
