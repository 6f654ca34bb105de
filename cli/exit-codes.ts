/** Exit codes of `ut-media` (docs/cli.md, "Exit codes"). */
export const EXIT = {
  /** Every asset stored or skipped for a stated reason. */
  ok: 0,
  /** Some asset failed, or the run itself failed. */
  failed: 1,
  /** Bad input or configuration, reported before any API call. */
  usage: 2,
  /** Ctrl-C: `ingest` detached from a run on a cluster, or paused the embedded one (128 + SIGINT). */
  interrupted: 130,
} as const;

/** An error the CLI reports in one line and exits with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}
