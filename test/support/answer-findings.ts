/**
 * What a generated-answer property found, gathered over all its runs instead of stopping at the
 * first: one line per kind of problem, with a few of the values that showed it and how often.
 * (Letting fast-check fail would print a counterexample that may hold a list of thousands.)
 */
export class Findings {
  private readonly byKey = new Map<string, { first: string; examples: Set<string>; count: number }>();

  /** `key` groups findings of one kind (e.g. the field concerned); `example` is the value that showed it. */
  add(key: string, line: string, example?: string): void {
    const found = this.byKey.get(key);
    if (!found) {
      this.byKey.set(key, { first: line, examples: new Set(example === undefined ? [] : [example]), count: 1 });
      return;
    }
    found.count++;
    if (example !== undefined && found.examples.size < 5) found.examples.add(example);
  }

  /** One line per kind: the first occurrence, then the values seen and the count. */
  report(): string[] {
    return [...this.byKey.values()].map(
      ({ first, examples, count }) => `${first}${examples.size > 1 ? ` [values seen: ${[...examples].join(', ')}]` : ''} (${count}×)`,
    );
  }
}

export type Settled<T> = { value: T } | { error: unknown } | { timedOut: true };

/** The promise's outcome, or `timedOut` once `ms` passed (the promise is then left to itself). */
export async function settle<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The run's fast-check seed: fixed, so `npm test` gives the same answers on every machine and a CI
 * run cannot turn red by chance; UT_ANSWERS_SEED=<n> replays a run, UT_ANSWERS_SEED=random explores
 * (the seed is printed with any finding).
 */
export function answersSeed(): number {
  const given = process.env.UT_ANSWERS_SEED?.trim();
  if (given === 'random') return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(given);
  return given && Number.isSafeInteger(seed) ? seed : DEFAULT_ANSWERS_SEED;
}

const DEFAULT_ANSWERS_SEED = 20261205;

/** The value at a dotted path as the client names it (`sessions.0.sessionId`). */
export function valueAt(value: unknown, path: string): unknown {
  let at: unknown = value;
  for (const key of path.split('.').filter(Boolean)) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}
