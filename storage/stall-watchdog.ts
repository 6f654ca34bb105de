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
