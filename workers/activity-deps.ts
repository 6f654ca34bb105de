import type { Logger } from 'pino';
import type { ActivityDeps } from '../activities';
import { requireCredentials, type Settings } from '../config/settings';
import { createGcsClient, openDestination, parseDestination, type Destination } from '../storage';
import { createResultsApiClient } from '../usertesting/results-api-client';
import { createTokenProvider } from '../usertesting/token-provider';
import type { PipelineMetrics } from './metrics';

/** The real dependencies of the activities in a worker process, built from settings. */
export function buildActivityDeps(settings: Settings, logger?: Logger, metrics?: PipelineMetrics): ActivityDeps {
  const credentials = requireCredentials(settings);
  const tokens = createTokenProvider({ credentials, tokenUrl: settings.tokenUrl });
  const api = createResultsApiClient({ baseUrl: settings.apiBaseUrl, tokens, metrics });
  let gcs: ReturnType<typeof createGcsClient> | undefined;
  const cache = new Map<string, Destination>();
  return {
    api,
    logger,
    metrics,
    openDestination(uri) {
      let destination = cache.get(uri);
      if (!destination) {
        const spec = parseDestination(uri);
        destination = openDestination(spec, spec.scheme === 'gs' ? { storage: (gcs ??= createGcsClient()) } : {});
        cache.set(uri, destination);
      }
      return destination;
    },
  };
}
