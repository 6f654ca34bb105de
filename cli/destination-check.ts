import { DestinationUnavailableError, openDestination, parseDestination } from '../storage';
import { CliError, EXIT } from './exit-codes';

/**
 * Before an embedded run (the CLI does the work with its own environment): a bucket or container
 * that is missing or out of reach is bad configuration, exit 2 before any API request. Any other
 * failure of the check is left to the run, which retries.
 */
export async function checkDestination(dest: string): Promise<void> {
  try {
    await openDestination(parseDestination(dest)).checkAvailable?.();
  } catch (err) {
    if (err instanceof DestinationUnavailableError) throw new CliError(`--dest: ${err.message}`, EXIT.usage);
    process.stderr.write(`Could not check ${dest} before the run (${(err as Error).message}); going on.\n`);
  }
}
