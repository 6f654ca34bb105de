import { redactDeep } from '../usertesting/redact';
import { EXIT } from './exit-codes';

/** What a command (or one test's row of it) ended with: its exit code and, when not 0, why. */
export interface Outcome {
  code: number;
  /** The cause, in words a user can act on; every outcome whose code is not 0 has one. */
  error?: string;
}

type Body = Record<string, unknown> & { ok?: never; exitCode?: never; error?: never };

let printed = false;

/**
 * The rule of every `--json`: stdout holds exactly one object, `ok` true exactly when the exit code
 * is 0, `exitCode`, then the command's own fields, then `error` when it failed. Strings pass through
 * the redaction once more here: whatever a command puts in, no token or signed link reaches stdout.
 */
export function printJsonOutcome(outcome: Outcome, body: Body = {}): void {
  // One object per process: a failure after the result was printed (closing the server) is told on stderr only.
  if (printed) return;
  printed = true;
  process.stdout.write(`${JSON.stringify(jsonOf(outcome, body))}\n`);
}

/**
 * A command over tests: one test's row is the object itself (as before several tests were possible),
 * several are `tests`, next to `totals`; the command's exit code is the worst row's. Returns it.
 */
export function printJsonRows(rows: Array<Outcome & { body: Body }>, totals: Body = {}): number {
  const code = Math.max(EXIT.ok, ...rows.map((r) => r.code));
  if (rows.length === 1) printJsonOutcome(rows[0], rows[0].body);
  else {
    const failed = rows.filter((r) => r.code !== EXIT.ok).length;
    const error = failed ? `${failed} of ${rows.length} tests did not succeed (each row says why)` : undefined;
    printJsonOutcome({ code, error }, { tests: rows.map((r) => jsonOf(r, r.body)), ...totals });
  }
  return code;
}

function jsonOf(outcome: Outcome, body: Body): Record<string, unknown> {
  // Through JSON first: redactDeep would take a Date for a plain object.
  const plain = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  return redactDeep({
    ok: outcome.code === EXIT.ok,
    exitCode: outcome.code,
    ...plain,
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
  }) as Record<string, unknown>;
}
