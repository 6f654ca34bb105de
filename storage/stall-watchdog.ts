/** How long a store request or upload may move no byte before it is given up: every destination's `stallTimeoutMs` default. */
export const DEFAULT_STALL_TIMEOUT_MS = 120_000;

/** Calls `onStall` once when `touch` has not been called for `timeoutMs`; `stop` ends the watch. */
export class StallWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly onStall: () => void,
  ) {
    this.touch();
  }

  readonly touch = (): void => {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.stopped = true;
      this.onStall();
    }, this.timeoutMs);
    this.timer.unref();
  };

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
