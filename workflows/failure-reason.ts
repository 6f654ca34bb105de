import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/workflow';

/** A short, secret-free reason from a failed activity or child (their messages are already redacted). */
export function failureReason(err: unknown): string {
  let current: unknown = err;
  while (current instanceof ActivityFailure || current instanceof ChildWorkflowFailure) current = current.cause;
  if (current instanceof ApplicationFailure) return `${current.type ?? 'Error'}: ${current.message}`;
  return current instanceof Error ? current.message : String(current);
}

/** The ApplicationFailure type at the root of a failure chain (what the caller decides by). */
export function failureType(err: unknown): string | undefined {
  let current = err as { type?: string; cause?: unknown } | undefined;
  let type: string | undefined;
  while (current) {
    if (typeof current.type === 'string') type = current.type;
    current = current.cause as typeof current;
  }
  return type;
}
