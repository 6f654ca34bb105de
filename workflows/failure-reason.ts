import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/workflow';

/** A short, secret-free reason from a failed activity or child (their messages are already redacted). */
export function failureReason(err: unknown): string {
  let current: unknown = err;
  while (current instanceof ActivityFailure || current instanceof ChildWorkflowFailure) current = current.cause;
  if (current instanceof ApplicationFailure) return `${current.type ?? 'Error'}: ${current.message}`;
  return current instanceof Error ? current.message : String(current);
}
