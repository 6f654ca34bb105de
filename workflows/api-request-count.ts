import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/**
 * The Results API requests an API activity cost, retries included, from its result or its final
 * failure. An activity of a worker that predates the count is taken to have sent one.
 */
export function requestsOf(outcome: { result: unknown } | { error: unknown }): number {
  if ('result' in outcome) return countIn(outcome.result) ?? 1;
  const failure = outcome.error instanceof ActivityFailure ? outcome.error.cause : undefined;
  return (failure instanceof ApplicationFailure ? countIn(failure.details?.[0]) : undefined) ?? 1;
}

function countIn(value: unknown): number | undefined {
  const n = (value as { apiRequests?: unknown } | null | undefined)?.apiRequests;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** Runs an API activity call and adds what it cost to `add`, whether it succeeds or fails. */
export async function counted<T>(call: () => Promise<T>, add: (n: number) => void): Promise<T> {
  try {
    const result = await call();
    add(requestsOf({ result }));
    return result;
  } catch (error) {
    add(requestsOf({ error }));
    throw error;
  }
}
