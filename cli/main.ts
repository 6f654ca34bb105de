import { Command, CommanderError, Option } from 'commander';
import { commandFailure } from './command-failure';
import { EXIT } from './exit-codes';
import { runIngest } from './ingest-command';
import { printJsonOutcome } from './json-outcome';
import { runPlan } from './plan-command';
import { runSchedule } from './schedule-command';
import { runStatus } from './status-command';
import { runVerify } from './verify-command';
import { runIndex } from './index-command';
import { runWorker } from './worker-command';
import { packageVersion } from './version';
import { DEFAULT_PRUNE_MAX } from '../contract/inputs';

const collect = (value: string, previous: string[] = []) => [...previous, value];
const ONLY_HELP = 'comma-separated subset of reels,clips,videos,transcripts,details,qxscore (default: all)';
const PRUNE_HELP =
  'remove the objects of archived sessions and reels the API no longer lists (after a complete listing only), keeping a tombstone in the manifest';
const PRUNE_MAX_HELP = `with --prune, the most one run removes: a share of the archived ones or a count; above it nothing is removed and the run exits 1 (default: ${DEFAULT_PRUNE_MAX})`;

/** What `ingest` and `plan` share: which tests, sessions and kinds, and where. */
function withRunSelection(command: Command, destHelp: string, refreshHelp: string): Command {
  return command
    .option('--test <testId>', 'test result UUID (repeatable)', collect)
    .option('--tests-file <file>', 'test result UUIDs, one a line (# comments)')
    .requiredOption('--dest <uri>', destHelp)
    .option('--session <sessionId>', 'only this session (repeatable)', collect)
    .option('--only <kinds>', ONLY_HELP)
    .option('--refresh-details', refreshHelp);
}

export function buildProgram(): Command {
  const program = new Command('ut-media')
    .description(
      'Archive UserTesting highlight reels, clips, session videos, transcripts, session details and QXscores ' +
        'into GCS, S3, Azure Blob or a folder, on Temporal.',
    )
    .version(packageVersion(), '--version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  const example = (lines: string[]) => `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

  withRunSelection(
    program.command('ingest').description('start (or attach to) the ingestion of each test result, follow them, print a summary with a row per test'),
    'gs://bucket[/prefix], s3://bucket[/prefix], az://container[/prefix], file:///absolute/path or a path',
    'ask again for stored session details and QXscores (one request each); rewrite those that changed',
  )
    .option('--json', 'print one JSON summary object as the last line of stdout')
    .option('--dry-run', 'fetch nothing: print what would be fetched and what it would cost (as `plan`)')
    .option('--detach', 'start (or attach to) the runs, print their workflow ids and return at once (needs TEMPORAL_ADDRESS)')
    .option('--prune', PRUNE_HELP)
    .option('--prune-max <n|%>', PRUNE_MAX_HELP)
    .addOption(new Option('--no-progress', 'do not show live progress'))
    .action(async (opts) => {
      process.exitCode = await runIngest({
        test: opts.test,
        testsFile: opts.testsFile,
        dest: opts.dest,
        session: opts.session,
        only: opts.only,
        refreshDetails: opts.refreshDetails,
        json: opts.json,
        progress: opts.progress,
        dryRun: opts.dryRun,
        detach: opts.detach,
        prune: opts.prune,
        pruneMax: opts.pruneMax,
      });
    })
    .addHelpText(
      'after',
      example([
        'ut-media ingest --test 3f0c2a8e-5b1d-4c3e-9f7a-1b2c3d4e5f60 --dest gs://research-archive/usertesting',
        'ut-media ingest --tests-file tests.txt --dest ./archive --only videos,transcripts --json',
        'TEMPORAL_ADDRESS=temporal.internal:7233 ut-media ingest --test 3f0c2a8e-5b1d-4c3e-9f7a-1b2c3d4e5f60 ' +
          '--dest gs://research-archive/usertesting --detach --json',
      ]),
    );

  withRunSelection(
    program
      .command('plan')
      .description('what an ingestion would fetch, what is already stored, and the API requests and time it would cost (spends listing requests only)'),
    'the destination the ingestion would write to',
    'plan for asking again for stored session details and QXscores',
  )
    .option('--json', 'print one JSON object (apiRequests, estimatedSeconds, per kind counts)')
    .action(async (opts) => {
      process.exitCode = await runPlan({
        test: opts.test,
        testsFile: opts.testsFile,
        dest: opts.dest,
        session: opts.session,
        only: opts.only,
        refreshDetails: opts.refreshDetails,
        json: opts.json,
      });
    })
    .addHelpText(
      'after',
      example([
        'ut-media plan --test 3f0c2a8e-5b1d-4c3e-9f7a-1b2c3d4e5f60 --dest gs://research-archive/usertesting',
        'ut-media plan --tests-file tests.txt --dest ./archive --only videos --json',
      ]),
    );

  program
    .command('worker')
    .description("run a worker for the project's task queues on TEMPORAL_ADDRESS (many may run at once)")
    .action(async () => {
      process.exitCode = await runWorker();
    })
    .addHelpText('after', example(['TEMPORAL_ADDRESS=temporal.internal:7233 UT_CLIENT_ID=... UT_CLIENT_SECRET=... ut-media worker']));
  program
    .command('status')
    .description(
      'state, progress and problems of the latest ingestion of each test: on TEMPORAL_ADDRESS, ' +
        'else the embedded run of this folder (./.ut-media/), else the manifest at --dest',
    )
    .option('--test <testId>', 'test result UUID (repeatable)', collect)
    .option('--tests-file <file>', 'test result UUIDs, one a line (# comments)')
    .option('--wait', "follow the runs to their end, then exit with ingest's exit code")
    .option('--dest <uri>', 'with no Temporal state known: read the manifest there')
    .option('--json', 'print one JSON object')
    .addOption(new Option('--no-progress', 'with --wait: do not show live progress'))
    .action(async (opts) => {
      process.exitCode = await runStatus({
        test: opts.test,
        testsFile: opts.testsFile,
        json: opts.json,
        wait: opts.wait,
        dest: opts.dest,
        progress: opts.progress,
      });
    })
    .addHelpText(
      'after',
      example([
        'ut-media status --test 3f0c2a8e-5b1d-4c3e-9f7a-1b2c3d4e5f60',
        'TEMPORAL_ADDRESS=temporal.internal:7233 ut-media status --test 3f0c2a8e-5b1d-4c3e-9f7a-1b2c3d4e5f60 --wait --json',
      ]),
    );

  program
    .command('verify')
    .description('re-read every stored object and check size, md5 and crc32c against the manifest (exit 1 if any differ)')
    .requiredOption('--test <testId>', 'test result UUID')
    .requiredOption('--dest <uri>', 'the destination the test was ingested into')
    .option('--json', 'print one JSON object')
    .action(async (opts) => {
      process.exitCode = await runVerify({ test: opts.test, dest: opts.dest, json: opts.json });
    })
    .addHelpText('after', example(['ut-media verify --test 3f0c2a8e-5b1d-4c3e-9f7a-1b2c3d4e5f60 --dest gs://research-archive/usertesting']));
  program
    .command('index')
    .description("write the archive's pages (each test's index.html and the destination's) from the manifests; no API request")
    .requiredOption('--dest <uri>', 'the destination to write the pages of')
    .option('--test <testId>', 'only this test (repeatable); default: every test with a manifest there', collect)
    .option('--json', 'print one JSON object')
    .action(async (opts) => {
      process.exitCode = await runIndex({ test: opts.test, dest: opts.dest, json: opts.json });
    })
    .addHelpText(
      'after',
      example(['ut-media index --dest gs://research-archive/usertesting', 'ut-media index --dest ./archive --test 3f0c2a8e-5b1d-4c3e-9f7a-1b2c3d4e5f60']),
    );
  program
    .command('schedule')
    .description('periodic incremental sync with a Temporal Schedule (overlap: skip); needs TEMPORAL_ADDRESS')
    .option('--test <testId>', 'test result UUID (repeatable: one schedule per test)', collect)
    .option('--tests-file <file>', 'test result UUIDs, one a line (# comments)')
    .option('--dest <uri>', 'destination')
    .option('--only <kinds>', ONLY_HELP)
    .option('--refresh-details', 'every run asks again for stored session details and QXscores')
    .option('--prune', PRUNE_HELP)
    .option('--prune-max <n|%>', PRUNE_MAX_HELP)
    .option('--every <duration>', 'interval such as 30m, 6h, 1d')
    .option('--list', 'list ut-media schedules')
    .option('--delete <scheduleId>', 'delete a schedule')
    .option('--json', 'print one JSON object')
    .action(async (opts) => {
      process.exitCode = await runSchedule(opts);
    })
    .addHelpText(
      'after',
      example([
        'ut-media schedule --test 3f0c2a8e-5b1d-4c3e-9f7a-1b2c3d4e5f60 --dest gs://research-archive/usertesting --every 6h',
        'ut-media schedule --list',
      ]),
    );
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  // `ut-media ... | head`: the reader went away; stop quietly, as Unix tools do, instead of crashing on EPIPE.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    throw err;
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    const failure = commandFailure(err);
    process.exitCode = failure.code;
    // Help and version (commander printed them).
    if (failure.code === EXIT.ok) return;
    // Commander has printed its usage mistake, with the help.
    if (!(err instanceof CommanderError)) process.stderr.write(`ut-media: ${failure.error}\n`);
    if (asksForJson(argv)) printJsonOutcome(failure);
  }
}

/**
 * From the command line itself, not the parsed options: a usage mistake stops commander before it
 * has parsed them, and `--json` still gets its one object.
 */
function asksForJson(argv: string[]): boolean {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).includes('--json');
}

if (require.main === module) void main();
