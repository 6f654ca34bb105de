import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<{ sent: number }>();

/** Called by the client for each request it puts on the wire (not for one it holds back). */
export function requestSent(): void {
  const tally = current.getStore();
  if (tally) tally.sent += 1;
}

/** Runs `work` and counts the Results API requests it sends, whatever it awaits in between. */
export async function countRequests<T>(work: () => Promise<T>): Promise<{ result: T; sent: number } | { error: unknown; sent: number }> {
  const tally = { sent: 0 };
  try {
    return { result: await current.run(tally, work), sent: tally.sent };
  } catch (error) {
    return { error, sent: tally.sent };
  }
}
