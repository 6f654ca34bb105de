import { FAILURE_TYPE } from '../contract/failure-types';
import type { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, CancelledFailure, ChildWorkflowFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { redactSecrets } from '../usertesting/redact';
import { EXIT } from './exit-codes';

/**
 * Run failures that are bad input or configuration (exit 2). A destination that cannot be used (a
 * bucket that does not exist, credentials refused) fails the run at its first step, before any API request.
 */
const CONFIGURATION_FAILURES = new Set<string>([
  FAILURE_TYPE.InvalidInput,
  FAILURE_TYPE.InvalidDestination,
  FAILURE_TYPE.InvalidCredentials,
  FAILURE_TYPE.DestinationUnavailable,
]);

export interface RunFailure {
  /** Exit 2 for bad input or configuration, else 1. */
  code: number;
  /** Each step that failed, outermost first, then what the last one said: `activity listSessionsPage: InvalidResponse: listSessions: ...`. */
  cause: string;
}

/**
 * Why a run failed, from its failure chain (followed by type through `.cause`): the child workflows
 * and the activity that failed, then the application failure's type and message, which hold what the
 * API or the destination answered. Not the bare "Workflow execution failed" of the client's error.
 */
export function describeRunFailure(err: WorkflowFailedError): RunFailure {
  const parts: string[] = [];
  let type: string | undefined;
  for (let current: unknown = err.cause ?? err; current instanceof Error; current = current.cause) {
    parts.push(describeLink(current));
    // The innermost application failure's type decides, as it did when it was thrown.
    if (current instanceof ApplicationFailure && current.type) type = current.type;
  }
  return { code: type !== undefined && CONFIGURATION_FAILURES.has(type) ? EXIT.usage : EXIT.failed, cause: redactSecrets(parts.join(': ')) };
}

function describeLink(failure: Error): string {
  if (failure instanceof ActivityFailure) return `activity ${failure.activityType}`;
  if (failure instanceof ChildWorkflowFailure) return `child workflow ${failure.workflowType} (${failure.execution.workflowId})`;
  if (failure instanceof ApplicationFailure) return `${failure.type ?? 'Error'}: ${failure.message}`;
  if (failure instanceof TimeoutFailure) return `timed out (${failure.timeoutType})`;
  if (failure instanceof TerminatedFailure) return `terminated: ${failure.message}`;
  if (failure instanceof CancelledFailure) return 'cancelled';
  return failure.message;
}
