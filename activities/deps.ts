import type { Destination } from '../storage';
import type { ResultsApiClient } from '../usertesting/results-api-client';
import type { SignedMediaOptions } from '../usertesting/signed-media';
import type { AssetKind } from '../contract/asset-types';

/** Minimal logger shape (pino satisfies it); everything logged must be free of secrets. */
export interface ActivityLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Counters activities feed (the worker's Prometheus metrics); optional, tests leave them out. */
export interface ActivityMetrics {
  /** Bytes newly streamed into the destination (not those a taken-over attempt had already written). */
  bytesMoved(kind: AssetKind, bytes: number): void;
  /** A signed link answered "expired": the activity fails and its retry requests a fresh one. */
  linkExpired(kind: AssetKind): void;
}

/** What activities need from the outside world; tests pass the simulator's client and the emulator. */
export interface ActivityDeps {
  api: ResultsApiClient;
  /** Opens (and may cache) a destination from its URI; throws InvalidDestinationError. */
  openDestination(uri: string): Destination;
  media?: SignedMediaOptions;
  logger?: ActivityLogger;
  metrics?: ActivityMetrics;
  now?: () => Date;
}
