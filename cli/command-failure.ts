import { WorkflowFailedError } from '@temporalio/client';
import { CommanderError } from 'commander';
import { redactSecrets } from '../usertesting/redact';
import { CliError, EXIT } from './exit-codes';
import type { Outcome } from './json-outcome';
import { describeRunFailure } from './run-failure';

/**
 * How a command that threw ends: its exit code and the cause in words, decided by the error's type
 * (a usage mistake commander caught, a CliError with its code, a failed run and its failure chain,
 * anything else exit 1). Help and --version are code 0.
 */
export function commandFailure(err: unknown): Outcome & { error: string } {
  if (err instanceof CommanderError) return { code: err.exitCode === 0 ? EXIT.ok : EXIT.usage, error: err.message.replace(/^error: /, '') };
  if (err instanceof CliError) return { code: err.code, error: redactSecrets(err.message) };
  if (err instanceof WorkflowFailedError) {
    const failure = describeRunFailure(err);
    return { code: failure.code, error: `the run failed: ${failure.cause}` };
  }
  return { code: EXIT.failed, error: redactSecrets(err instanceof Error ? err.message : String(err)) };
}
