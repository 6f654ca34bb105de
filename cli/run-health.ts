import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TransferHeartbeat } from '../activities/activity-context';
import { redactSecrets } from '../usertesting/redact';
import { reelsWorkflowId } from '../contract/task-queues';

/** How often a followed run is checked (spread out further with many runs). */
export const HEALTH_CHECK_MS = 5000;
/** A workflow task failing this many times in a row means the run cannot move on by itself. */
export const STUCK_WORKFLOW_TASK_ATTEMPTS = 3;
/** An activity retrying this often is shown (it may still succeed: its retry policy bounds it). */
export const NOTABLE_ACTIVITY_ATTEMPTS = 5;
/** Children looked at per check: the running ones, as many as fit. */
const CHILDREN_CHECKED = 10;

export interface RunProblem {
  workflowId: string;
  /** `workflow-task`: the run cannot progress (retried for ever); `activity`: retrying, bounded by its policy. */
  kind: 'workflow-task' | 'activity';
  attempts: number;
  /** What failed, from the server's own record (already free of secrets: our failures are redacted). */
  cause: string;
}

/**
 * Looks for what keeps a run from progressing: a workflow task that fails again and again (e.g. a
 * payload over Temporal's limit, a workflow type no worker has) in the run or its running children,
 * and activities retrying past a threshold. Reads Temporal's own state: describe and history.
 */
export async function checkRunHealth(client: Client, handle: WorkflowHandle, dest?: string): Promise<RunProblem[]> {
  const problems: RunProblem[] = [];
  const description = await handle.describe();
  if (description.status.name !== 'RUNNING') return problems;
  await collect(client, handle.workflowId, description.raw, problems);
  const children = (description.raw.pendingChildren ?? []).map((c) => c.workflowId).filter((id): id is string => Boolean(id));
  // The reels child outlives the parent run that started it (the parent continues as new).
  const reels = dest ? reelsWorkflowId(handle.workflowId, dest) : undefined;
  const ids = [...(reels && !children.includes(reels) ? [reels] : []), ...children].slice(0, CHILDREN_CHECKED);
  for (const id of ids) {
    const childDescription = await client.workflow
      .getHandle(id)
      .describe()
      .catch(() => undefined);
    if (childDescription?.status.name === 'RUNNING') await collect(client, id, childDescription.raw, problems);
  }
  return problems;
}

async function collect(
  client: Client,
  workflowId: string,
  raw: temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse,
  problems: RunProblem[],
): Promise<void> {
  const taskAttempts = raw.pendingWorkflowTask?.attempt ?? 0;
  if (taskAttempts >= STUCK_WORKFLOW_TASK_ATTEMPTS) {
    problems.push({ workflowId, kind: 'workflow-task', attempts: taskAttempts, cause: await lastWorkflowTaskFailure(client, workflowId) });
  }
  for (const activity of raw.pendingActivities ?? []) {
    const attempts = activity.attempt ?? 0;
    const name = activity.activityType?.name ?? 'activity';
    const outage = outageOf(activity.heartbeatDetails);
    if (outage) {
      // Stable text: the line is shown once per outage, however its cause varies between tries.
      problems.push({
        workflowId,
        kind: 'activity',
        attempts,
        cause:
          `${name}: the media host has not answered since ${new Date(outage.sinceMs).toISOString()}; ` +
          `waiting on the same link (the asset fails after UT_MEDIA_UNREACHABLE_MS)`,
      });
      continue;
    }
    if (attempts < NOTABLE_ACTIVITY_ATTEMPTS) continue;
    problems.push({ workflowId, kind: 'activity', attempts, cause: `${name}: ${activity.lastFailure?.message ?? 'no failure recorded'}` });
  }
}

/** The outage a transfer's last heartbeat reports, if any. */
function outageOf(details: temporal.api.common.v1.IPayloads | null | undefined): TransferHeartbeat['outage'] {
  const payload = details?.payloads?.[0];
  if (!payload) return undefined;
  try {
    const heartbeat = defaultPayloadConverter.fromPayload<Partial<TransferHeartbeat>>(payload);
    return typeof heartbeat?.outage?.sinceMs === 'number' ? heartbeat.outage : undefined;
  } catch {
    return undefined;
  }
}

async function lastWorkflowTaskFailure(client: Client, workflowId: string): Promise<string> {
  const history = await client.workflow
    .getHandle(workflowId)
    .fetchHistory()
    .catch(() => undefined);
  const events = history?.events ?? [];
  for (let i = events.length - 1; i >= 0; i--) {
    if (events[i].eventType !== temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) continue;
    const failure = events[i].workflowTaskFailedEventAttributes?.failure;
    return `workflow task failed: ${failure?.message ?? 'no message'}`;
  }
  // Failures of a task that keeps failing are not written to history after the first; the attempt count is.
  return 'workflow task keeps failing (no failure recorded in the history yet)';
}

export interface StallWatch {
  /** Resolves with the problem once a workflow task has kept failing for `stallTimeoutMs`; never, if stopped first. */
  stalled: Promise<RunProblem>;
  stop(): void;
}

/** Checks the run every `everyMs`, reports each new problem once, and says when it is stuck for good. */
export function watchForStall(
  client: Client,
  handle: WorkflowHandle,
  options: { dest?: string; everyMs: number; stallTimeoutMs: number; report?: (line: string) => void },
): StallWatch {
  let stuckSince: number | undefined;
  const shown = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let checking = false;
  const stalled = new Promise<RunProblem>((resolve) => {
    timer = setInterval(() => {
      // A slow server: one check at a time, not a pile of history fetches.
      if (checking) return;
      checking = true;
      checkRunHealth(client, handle, options.dest)
        .finally(() => (checking = false))
        .then(
          (problems) => {
            for (const p of problems) {
              const line = redactSecrets(describeProblem(p));
              if (!shown.has(line)) options.report?.(line);
              shown.add(line);
            }
            const stuck = problems.find((p) => p.kind === 'workflow-task');
            if (!stuck) {
              stuckSince = undefined;
              return;
            }
            stuckSince ??= Date.now();
            if (Date.now() - stuckSince >= options.stallTimeoutMs) resolve(stuck);
          },
          () => undefined,
        );
    }, options.everyMs);
  });
  return { stalled, stop: () => clearInterval(timer) };
}

export function describeProblem(p: RunProblem): string {
  return p.kind === 'workflow-task'
    ? `${p.workflowId} is not making progress: ${p.cause} (${p.attempts} attempts)`
    : `${p.workflowId}: ${p.cause} (attempt ${p.attempts}, still retrying)`;
}
