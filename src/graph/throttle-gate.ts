import { sleepUnlessStopped } from './abort.js';

/** Thrown by ThrottleGate.wait when the window left is longer than the caller may wait. */
export class WindowTooLongError extends Error {
  constructor(readonly remainingMs: number) {
    super(`the throttle window has ${remainingMs} ms left`);
  }
}

export interface GateWaitOptions {
  /** The run's stop signal: waiting ends at once when it aborts (InterruptedError). */
  signal?: AbortSignal;
  /** Fail with WindowTooLongError instead of waiting when more than this is left. */
  maxWaitMs?: number;
}

/**
 * The throttle window shared by every request of one transport. Graph throttles the app+tenant pair,
 * not one connection, so after a 429 nobody should send until the window ends
 * (https://learn.microsoft.com/graph/throttling). The window only ever extends.
 */
export class ThrottleGate {
  #until = 0;

  constructor(
    private readonly now: () => number,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ) {}

  /** End of the current window (epoch ms); 0 or a past time when open. */
  get until(): number {
    return this.#until;
  }

  /** Closes the gate until `time`, unless it is already closed for longer. */
  pauseUntil(time: number): void {
    if (time > this.#until) this.#until = time;
  }

  /**
   * Resolves once the gate is open, re-checking because the window may grow while waiting.
   * Returns ms waited.
   */
  async wait(options: GateWaitOptions = {}): Promise<number> {
    const start = this.now();
    for (;;) {
      const remaining = this.#until - this.now();
      if (remaining <= 0) return this.now() - start;
      if (options.maxWaitMs !== undefined && remaining > options.maxWaitMs) throw new WindowTooLongError(remaining);
      await sleepUnlessStopped(this.sleep, remaining, options.signal);
    }
  }
}
