import { ConfigError } from '../config/settings';
import { destinationUri, parseDestination } from '../storage';
import { describeIssues, ingestTestResultInputSchema, type IngestTestResultParams } from '../workflows/inputs';
import { CliError, EXIT } from './exit-codes';

export interface IngestFlags {
  test?: string;
  dest?: string;
  session?: string[];
  only?: string;
}

/** Checks everything about the request before any network call; exit 2 with a clear message. */
export function validateIngest(flags: IngestFlags, cwd = process.cwd()): Pick<IngestTestResultParams, 'testId' | 'dest' | 'only' | 'sessionIds'> {
  if (!flags.test) throw new CliError('--test <testId> is required', EXIT.usage);
  if (!flags.dest) throw new CliError('--dest <uri> is required (gs://bucket[/prefix], file:///absolute/path or a path)', EXIT.usage);
  let dest: string;
  try {
    dest = destinationUri(parseDestination(flags.dest, cwd));
  } catch (err) {
    throw new CliError(`--dest: ${(err as Error).message}`, EXIT.usage);
  }
  const parsed = ingestTestResultInputSchema.safeParse({ testId: flags.test, dest, only: flags.only, sessionIds: flags.session?.length ? flags.session : undefined });
  if (!parsed.success) throw new CliError(describeIssues(parsed.error).replace(/^testId:/, '--test:').replace(/sessionIds\.\d+:/g, '--session:').replace(/^only:/, '--only:'), EXIT.usage);
  const { testId, only, sessionIds } = parsed.data;
  return { testId, dest, only, sessionIds };
}

/** Turns configuration errors into exit 2. */
export function asUsageError(err: unknown): never {
  if (err instanceof ConfigError) throw new CliError(err.message, EXIT.usage);
  throw err;
}
