import { bulkLastIndex } from './bulk-last.js';

export interface AdaptiveLimitOptions {
  /** Concurrency to start with. Default min(4, max). */
  initial?: number;
  /** Least time between two halvings. Default 1,000 ms. */
  cooldownMs?: number;
  now?: () => number;
}

interface Queued {
  /** Bulk work: starts after every other task waiting (see run()). */
  bulk: boolean;
  fn: () => Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/**
 * A concurrency limiter whose limit moves by AIMD (additive increase, multiplicative decrease), as
 * TCP finds a link's capacity: +1 after a full round of successes, halved on throttling. Graph
 * publishes no concurrency limit, only budgets whose size the client cannot see, and a 429 means
 * "send less" (https://learn.microsoft.com/graph/throttling), so the limit is found, not configured.
 *
 * Like p-limit, tasks start in FIFO order when a slot is free (bulk ones after the others). The caller reports outcomes with
 * succeeded() and throttled() because one task may carry many results (a $batch of 20 items).
 * Lowering the limit never aborts running tasks; it only starts fewer until they finish.
 *
 * Never call run() from inside a task it runs: the outer task holds its slot while it waits for the
 * inner one, and when every slot is held that way, nothing ever starts again.
 */
export class AdaptiveLimit {
  readonly #max: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  #limit: number;
  #active = 0;
  readonly #queue: Queued[] = [];
  /** Successes since the limit last changed. */
  #successes = 0;
  #lastDecrease = Number.NEGATIVE_INFINITY;

  constructor(max: number, options: AdaptiveLimitOptions = {}) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
    this.#max = max;
    this.#limit = Math.min(max, Math.max(1, Math.floor(options.initial ?? Math.min(4, max))));
    this.#cooldownMs = options.cooldownMs ?? 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Tasks allowed to run at once now. */
  get limit(): number {
    return this.#limit;
  }

  /** Tasks running. May exceed `limit` for a while after it was lowered. */
  get active(): number {
    return this.#active;
  }

  /** Tasks waiting for a slot. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Runs `fn` once fewer than `limit` tasks run; settles as it does. A task that throws frees its slot.
   * Waiting tasks start in FIFO order, except that `bulk` ones (a fan-out's `$batch` envelopes) start
   * only when no other task waits: a page chain's next page never queues behind them.
   */
  run<T>(fn: () => Promise<T>, bulk = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const task: Queued = { bulk, fn, resolve: resolve as (value: unknown) => void, reject };
      this.#queue.splice(bulkLastIndex(this.#queue, bulk), 0, task);
      this.#next();
    });
  }

  /**
   * One success. After as many successes as the limit since it last changed (a full round at this
   * concurrency without throttling), the limit grows by one, up to max.
   */
  succeeded(): void {
    this.#successes++;
    if (this.#successes < this.#limit) return;
    this.#successes = 0;
    if (this.#limit < this.#max) {
      this.#limit++;
      this.#next();
    }
  }

  /**
   * Throttled: halve the limit (not below 1). At most once per cooldown, because the answers to one
   * burst arrive together (20 throttled items of one $batch) and describe one overload, not twenty.
   */
  throttled(): void {
    const at = this.#now();
    if (at - this.#lastDecrease < this.#cooldownMs) return;
    this.#lastDecrease = at;
    this.#limit = Math.max(1, Math.floor(this.#limit / 2));
    this.#successes = 0;
  }

  #next(): void {
    while (this.#active < this.#limit && this.#queue.length > 0) {
      const task = this.#queue.shift()!;
      this.#active++;
      // Through a promise, so that a task that throws synchronously also frees its slot. The slot is
      // freed before the caller hears the outcome, so `active` is right when the caller looks.
      Promise.resolve()
        .then(task.fn)
        .then(
          (value) => {
            this.#release();
            task.resolve(value);
          },
          (err: unknown) => {
            this.#release();
            task.reject(err);
          },
        );
    }
  }

  #release(): void {
    this.#active--;
    this.#next();
  }
}
