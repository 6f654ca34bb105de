import { destinationFlagError } from './destination-reader';
import { ConfigError, loadSettings, type Settings } from '../config/settings';
import { destinationUri, parseDestination } from '../storage';
import { DEFAULT_PRUNE_MAX, describeIssues, ingestTestResultInputSchema, MAX_TESTS_PER_RUN, type IngestTestResultParams } from '../contract/inputs';
import { parsePruneLimit, pruneLimitInput } from '../contract/withdrawals';
import { CliError, EXIT } from './exit-codes';
import { givenTestIds } from './tests-file';

export interface IngestFlags {
  /** One id, or several (`--test A --test B`). */
  test?: string | string[];
  testsFile?: string;
  dest?: string;
  session?: string[];
  only?: string;
  refreshDetails?: boolean;
  prune?: boolean;
  /** `25%` or a count; only with `prune`. */
  pruneMax?: string;
}

export type IngestRequest = Pick<IngestTestResultParams, 'dest' | 'only' | 'sessionIds' | 'refreshDetails'> & {
  testIds: string[];
  /** With `--prune`: the limit as the workflow input spells it. */
  prune?: { pruneMax: string | number };
};

/** Checks everything about the request before any network call; exit 2 with a clear message. */
export function validateIngest(flags: IngestFlags, cwd = process.cwd()): IngestRequest {
  const given = givenTestIds(flags);
  if (given.length > MAX_TESTS_PER_RUN) throw new CliError(`at most ${MAX_TESTS_PER_RUN} tests in one run (got ${given.length})`, EXIT.usage);
  if (new Set(given.map((id) => id.toLowerCase())).size > 1 && flags.session?.length)
    throw new CliError('--session belongs to one test: use it with a single --test', EXIT.usage);
  const prune = validatePrune(flags);
  const testIds: string[] = [];
  let common: Omit<IngestRequest, 'testIds'> | undefined;
  for (const test of given) {
    const one = validateOne({ ...flags, test }, cwd);
    if (!testIds.includes(one.testId)) testIds.push(one.testId);
    common ??= { dest: one.dest, only: one.only, sessionIds: one.sessionIds, ...(flags.refreshDetails ? { refreshDetails: true } : {}) };
  }
  return { testIds, ...common!, ...(prune ? { prune } : {}) };
}

function validatePrune(flags: IngestFlags): IngestRequest['prune'] {
  if (flags.pruneMax !== undefined && !flags.prune) throw new CliError('--prune-max goes with --prune', EXIT.usage);
  if (!flags.prune) return undefined;
  if (flags.session?.length) throw new CliError('--prune needs the whole session list: it cannot go with --session', EXIT.usage);
  const limit = parsePruneLimit(flags.pruneMax ?? DEFAULT_PRUNE_MAX);
  if (!limit) throw new CliError(`--prune-max: a share from 0% to 100% (like 25%) or a whole count (like 10), not "${flags.pruneMax}"`, EXIT.usage);
  return { pruneMax: pruneLimitInput(limit) };
}

function validateOne(flags: IngestFlags & { test: string }, cwd: string): Pick<IngestTestResultParams, 'testId' | 'dest' | 'only' | 'sessionIds'> {
  if (!flags.dest)
    throw new CliError(
      '--dest <uri> is required (gs://bucket[/prefix], s3://bucket[/prefix], az://container[/prefix], file:///absolute/path or a path)',
      EXIT.usage,
    );
  let dest: string;
  try {
    dest = destinationUri(parseDestination(flags.dest, cwd));
  } catch (err) {
    throw destinationFlagError(err);
  }
  const parsed = ingestTestResultInputSchema.safeParse({
    testId: flags.test,
    dest,
    only: flags.only,
    sessionIds: flags.session?.length ? flags.session : undefined,
  });
  if (!parsed.success)
    throw new CliError(
      describeIssues(parsed.error)
        .replace(/^testId:/, '--test:')
        .replace(/sessionIds\.\d+:/g, '--session:')
        .replace(/^only:/, '--only:'),
      EXIT.usage,
    );
  const { testId, only, sessionIds } = parsed.data;
  return { testId, dest, only, sessionIds };
}

/** Turns configuration errors into exit 2. */
export function asUsageError(err: unknown): never {
  if (err instanceof ConfigError) throw new CliError(err.message, EXIT.usage);
  throw err;
}

/** The environment's settings for a CLI command; a bad value is exit 2. */
export function cliSettings(env: NodeJS.ProcessEnv): Settings {
  try {
    return loadSettings(env);
  } catch (err) {
    asUsageError(err);
  }
}
