import { DestinationUnavailableError, InvalidDestinationError, openDestination, parseDestination, type Destination } from '../storage';
import { manifestPath } from '../contract/asset-paths';
import type { Manifest } from '../contract/manifest-types';
import { CliError, EXIT } from './exit-codes';

/**
 * The destination a `--dest` flag names, opened for reading by the CLI itself with a client built from
 * its own environment, whatever the store (exit 2 when malformed, or when az:// has no credentials).
 */
export function destinationOfFlag(dest: string | undefined): Destination {
  try {
    return openDestination(parseDestination(dest ?? ''));
  } catch (err) {
    throw destinationFlagError(err);
  }
}

/**
 * A `--dest` the user must change (malformed, or a store this environment cannot reach: az:// with
 * no credentials) is bad input, exit 2; anything else is a bug or an outage, passed on as it is.
 */
export function destinationFlagError(err: unknown): unknown {
  return err instanceof InvalidDestinationError || err instanceof DestinationUnavailableError ? new CliError(`--dest: ${err.message}`, EXIT.usage) : err;
}

export async function readJson<T>(destination: Destination, relativePath: string): Promise<T | undefined> {
  if (!(await destination.stat(relativePath))) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of destination.readObject(relativePath)) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

export const readManifest = (destination: Destination, testId: string) => readJson<Manifest>(destination, manifestPath(testId));
