/**
 * The throttle window shared by every request of one transport. Graph throttles the app+tenant pair,
 * not one connection, so after a 429 nobody should send until the window ends
 * (https://learn.microsoft.com/graph/throttling). The window only ever extends.
 */
export class ThrottleGate {
  #until = 0;

  constructor(
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /** End of the current window (epoch ms); 0 or a past time when open. */
  get until(): number {
    return this.#until;
  }

  /** Closes the gate until `time`, unless it is already closed for longer. */
  pauseUntil(time: number): void {
    if (time > this.#until) this.#until = time;
  }

  /** Resolves once the gate is open, re-checking because the window may grow while waiting. Returns ms waited. */
  async wait(): Promise<number> {
    const start = this.now();
    for (;;) {
      const remaining = this.#until - this.now();
      if (remaining <= 0) return this.now() - start;
      await this.sleep(remaining);
    }
  }
}
