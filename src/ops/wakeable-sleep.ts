/**
 * A timer a stopping component can cut short: `sleep(ms)` resolves after `ms`, or at once when
 * `wake()` is called meanwhile (a reconnect backoff, a paced wait); `wake()` with no sleep in
 * progress does nothing. One sleep at a time.
 */
export class WakeableSleep {
  private wakeUp: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  wake(): void {
    this.wakeUp?.();
  }
}
