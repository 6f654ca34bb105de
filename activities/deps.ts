import type { Destination } from '../storage';
import type { ResultsApiClient } from '../usertesting/results-api-client';
import type { SignedMediaOptions } from '../usertesting/signed-media';

/** Minimal logger shape (pino satisfies it); everything logged must be free of secrets. */
export interface ActivityLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** What activities need from the outside world; tests pass the simulator's client and the emulator. */
export interface ActivityDeps {
  api: ResultsApiClient;
  /** Opens (and may cache) a destination from its URI; throws InvalidDestinationError. */
  openDestination(uri: string): Destination;
  media?: SignedMediaOptions;
  logger?: ActivityLogger;
  now?: () => Date;
}
