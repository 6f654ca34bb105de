import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import { runOptionsFromSettings } from '../config/run-options';
import type { IngestTestResultInput } from '../contract/inputs';
import { TEST_ID_SEARCH_ATTRIBUTE } from '../contract/search-attributes';
import { CliError, EXIT } from './exit-codes';
import { printJsonOutcome } from './json-outcome';
import { ensureSearchAttributes } from './search-attributes-check';
import { cliSettings, validateIngest } from './validate-ingest';
import { ingestionSummary } from '../workflows/ui-metadata';

export interface ScheduleFlags {
  test?: string | string[];
  testsFile?: string;
  dest?: string;
  only?: string;
  refreshDetails?: boolean;
  prune?: boolean;
  pruneMax?: string;
  every?: string;
  list?: boolean;
  delete?: string;
  json?: boolean;
}

const SCHEDULE_PREFIX = 'ut-media-schedule-';
const DURATION = /^(\d+)(m|h|d)$/;

/** `ut-media schedule`: a Temporal Schedule that re-runs the incremental ingestion (overlap: skip). */
export async function runSchedule(flags: ScheduleFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const settings = cliSettings(env);
  if (!settings.temporalAddress) throw new CliError('schedule needs TEMPORAL_ADDRESS: schedules live on a cluster whose workers run them', EXIT.usage);
  const modes = [flags.list, flags.delete !== undefined, flags.every !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new CliError('use exactly one of --every <duration> (with --test and --dest), --list, --delete <scheduleId>', EXIT.usage);
  let request: ReturnType<typeof validateIngest> | undefined;
  if (flags.every !== undefined) {
    if (!DURATION.test(flags.every)) throw new CliError('--every: a duration like 30m, 6h or 1d (at least 5m)', EXIT.usage);
    if (parseMinutes(flags.every) < 5) throw new CliError('--every: at least 5m (a run must have time to finish)', EXIT.usage);
    request = validateIngest(flags);
  }
  const connection = await Connection.connect({ address: settings.temporalAddress });
  try {
    if (request) await ensureSearchAttributes(connection, settings.namespace, (line) => process.stderr.write(`${line}\n`));
    const client = new Client({ connection, namespace: settings.namespace });
    if (flags.list) {
      const schedules = [];
      for await (const s of client.schedule.list()) if (s.scheduleId.startsWith(SCHEDULE_PREFIX)) schedules.push(s.scheduleId);
      if (flags.json) printJsonOutcome({ code: EXIT.ok }, { schedules });
      else process.stdout.write(schedules.map((id) => `${id}\n`).join('') || 'no ut-media schedules\n');
      return EXIT.ok;
    }
    if (flags.delete !== undefined) {
      if (!flags.delete.startsWith(SCHEDULE_PREFIX))
        throw new CliError(`--delete: not a ut-media schedule id (they start with ${SCHEDULE_PREFIX})`, EXIT.usage);
      await client.schedule.getHandle(flags.delete).delete();
      if (flags.json) printJsonOutcome({ code: EXIT.ok }, { deleted: flags.delete });
      else process.stdout.write(`deleted ${flags.delete}\n`);
      return EXIT.ok;
    }
    const { dest, only, refreshDetails, prune } = request!;
    const created: string[] = [];
    // One schedule per test: each can be listed, paused or deleted on its own.
    for (const testId of request!.testIds) {
      const scheduleId = `${SCHEDULE_PREFIX}${testId}`;
      const input: IngestTestResultInput = {
        testId,
        dest,
        only,
        refreshDetails,
        ...(prune ? { prune: true, pruneMax: prune.pruneMax } : {}),
        options: runOptionsFromSettings(settings),
      };
      await client.schedule.create({
        scheduleId,
        spec: { intervals: [{ every: flags.every! as `${number}m` }] },
        action: {
          type: 'startWorkflow',
          // The wrapper runs ingestTestResult under its contract id (see workflows/scheduled-ingest.ts).
          workflowType: 'scheduledIngest',
          taskQueue: settings.taskQueue,
          workflowId: `ut-media-scheduled-${testId}`,
          args: [input],
          typedSearchAttributes: [{ key: TEST_ID_SEARCH_ATTRIBUTE, value: testId }],
          staticSummary: `every ${flags.every}: ${ingestionSummary(testId, dest, only)}`,
        },
        // A run still going when the next is due is left alone: the next one catches up incrementally.
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
      });
      created.push(scheduleId);
      if (!flags.json) process.stdout.write(`created ${scheduleId}: ingest ${testId} into ${dest} every ${flags.every}\n`);
    }
    if (flags.json)
      printJsonOutcome({ code: EXIT.ok }, created.length === 1 ? { scheduleId: created[0], every: flags.every } : { scheduleIds: created, every: flags.every });
    return EXIT.ok;
  } finally {
    await connection.close();
  }
}

function parseMinutes(duration: string): number {
  const [, n, unit] = DURATION.exec(duration)!;
  return Number(n) * ({ m: 1, h: 60, d: 1440 } as const)[unit as 'm' | 'h' | 'd'];
}
