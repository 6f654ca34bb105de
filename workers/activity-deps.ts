import type { Logger } from 'pino';
import type { ActivityDeps } from '../activities';
import { requireCredentials, type Settings } from '../config/settings';
import type { BlobServiceClient } from '@azure/storage-blob';
import {
  createAzureClient,
  createGcsClient,
  createS3Client,
  openDestination,
  parseDestination,
  type Destination,
  type DestinationSpec,
  type StorageDeps,
} from '../storage';
import { createResultsApiClient } from '../usertesting/results-api-client';
import { createTokenProvider } from '../usertesting/token-provider';
import type { PipelineMetrics } from './metrics';

/** The real dependencies of the activities in a worker process, built from settings. */
export function buildActivityDeps(settings: Settings, logger?: Logger, metrics?: PipelineMetrics): ActivityDeps {
  const credentials = requireCredentials(settings);
  const tokens = createTokenProvider({ credentials, tokenUrl: settings.tokenUrl });
  const api = createResultsApiClient({ baseUrl: settings.apiBaseUrl, tokens, metrics });
  // One client per store and process, made when first needed: each keeps its own connection pool.
  let gcs: ReturnType<typeof createGcsClient> | undefined;
  let s3: ReturnType<typeof createS3Client> | undefined;
  // One Azure client per account (one in all with a connection string).
  const azure = new Map<string, BlobServiceClient>();
  const azureClient = (account: string | undefined) => {
    let client = azure.get(account ?? '');
    if (!client) azure.set(account ?? '', (client = createAzureClient(account)));
    return client;
  };
  const clientFor = (spec: DestinationSpec): StorageDeps => {
    switch (spec.scheme) {
      case 'gs':
        return { storage: (gcs ??= createGcsClient()) };
      case 's3':
        return { s3: (s3 ??= createS3Client()) };
      case 'az':
        return { blobService: azureClient(spec.account) };
      default:
        return {};
    }
  };
  const cache = new Map<string, Destination>();
  return {
    api,
    logger,
    metrics,
    media: { retry: settings.mediaRetry },
    openDestination(uri) {
      let destination = cache.get(uri);
      if (!destination) {
        const spec = parseDestination(uri);
        destination = openDestination(spec, clientFor(spec));
        cache.set(uri, destination);
      }
      return destination;
    },
  };
}
