import { setTimeout as delay } from 'node:timers/promises';
import { interruptedBy, untilAborted } from './abort.js';
import { bulkLastIndex } from './bulk-last.js';

/**
 * Graph throttles the identity scope with a token bucket of resource units per application+tenant
 * pair whose size depends on the tenant (3,500 / 5,000 / 8,000 RU per 10 s), and the reports scope
 * with 5 requests per 10 s (graph-facts 3.2, 3.3,
 * https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits). Nothing
 * tells a client which size applies, and a 429 costs a Retry-After wait while throttled requests
 * still count against usage (https://learn.microsoft.com/graph/throttling). So the pacer keeps a
 * local model of the server's bucket, starts from the largest size, sends only what the model can
 * pay, and corrects the model from what the server answers: `x-ms-resource-unit` (charged),
 * `x-ms-throttle-limit-percentage` (usage) and 429s (throttled). The reports scope is the same
 * pacer with `tiers: [5]` and a cost of 1 per request.
 */
export interface BudgetPacerOptions {
  /** Possible budgets per window, ascending (e.g. [3500, 5000, 8000]). The pacer starts at the highest. */
  tiers: readonly number[];
  /** Length of the server's window in ms. Default 10,000. */
  windowMs?: number;
  /** Fraction of the budget to pace at, leaving room for cost estimates and clocks that are off. Default 0.95. */
  target?: number;
  /** Lowest capacity it may learn. Default a quarter of the lowest tier. */
  floor?: number;
  /** Tokens at the start. Default the lowest tier × target (see the constructor for why). */
  initialTokens?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface BudgetPacerSnapshot {
  /** Current estimate of the server's budget per window. */
  capacity: number;
  /** Local estimate of what the server's bucket holds (negative: in debt after a 429 or a large cost). */
  tokens: number;
  /** Total ms that acquire() callers waited. */
  waitedMs: number;
  /** acquire() calls that could not go at once and were queued. */
  waits: number;
  /** Times the capacity was lowered. */
  stepDowns: number;
}

interface Waiter {
  cost: number;
  /** Bulk work: served after every other waiter (see acquire()). */
  bulk: boolean;
  start: number;
  resolve(waitedMs: number): void;
  reject(err: unknown): void;
  /** Drops the abort listener. */
  done(): void;
}

/** Tokens are floats; this much short still pays (a refill computed from whole ms). */
const EPSILON = 1e-9;

/** Share of the capacity per window by which the model may overestimate the server without stepping down. */
const DRIFT_TOLERANCE = 0.05;

const defaultSleep = (ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal });

export class BudgetPacer {
  readonly #tiers: number[];
  readonly #windowMs: number;
  readonly #target: number;
  readonly #floor: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #capacity: number;
  #tokens: number;
  #last: number;
  readonly #queue: Waiter[] = [];
  #pumping = false;
  /** Ends the pump's current sleep early when the model changed in the head's favour. */
  #wake: AbortController | undefined;
  /** Overestimate evidence not yet leaked away (see #overestimated). */
  #over = 0;
  #overAt: number;
  /** Units the answers since the last usage reading said were charged, and that reading (see #measure). */
  #answered = 0;
  #reading: { at: number; fraction: number } | undefined;
  #waitedMs = 0;
  #waits = 0;
  #stepDowns = 0;

  constructor(options: BudgetPacerOptions) {
    const tiers = [...options.tiers].sort((a, b) => a - b);
    if (tiers.length === 0 || tiers.some((t) => !(t > 0) || !Number.isFinite(t))) {
      throw new RangeError('BudgetPacer needs at least one positive tier');
    }
    this.#tiers = tiers;
    this.#windowMs = options.windowMs ?? 10_000;
    this.#target = options.target ?? 0.95;
    this.#floor = Math.min(options.floor ?? tiers[0]! / 4, tiers[0]!);
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#capacity = tiers[tiers.length - 1]!;
    // The first burst spends only what the smallest budget holds: before any answer has come back
    // there is nothing to learn from, and a burst the server cannot pay costs a wave of 429s. The
    // refill starts at the largest budget, and the answers correct it from there.
    this.#tokens = options.initialTokens ?? tiers[0]! * this.#target;
    this.#last = this.#now();
    this.#overAt = this.#last;
  }

  /** Current estimate of the server's budget per window. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Local estimate of what the server's bucket holds now. */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Callers waiting in acquire(). */
  get pending(): number {
    return this.#queue.length;
  }

  /** The local bucket: the share of the budget we pace at. */
  get #size(): number {
    return this.#capacity * this.#target;
  }

  /** Refill per ms, so that a full window refills the local bucket. */
  get #rate(): number {
    return this.#size / this.#windowMs;
  }

  /**
   * Waits until the bucket can pay `cost`, takes it, and resolves with the ms waited. Callers are
   * served first come, first served, so a large cost is never starved by a stream of small ones; a
   * cost larger than the bucket waits for a full bucket and then goes, leaving it in debt.
   * `bulk` callers (a fan-out's `$batch` envelopes, which can fill the budget by themselves) are served
   * only when no other caller waits: a page chain, whose next page waits for this one, goes first.
   * When `signal` aborts, rejects at once with InterruptedError and leaves the queue.
   */
  acquire(cost: number, signal?: AbortSignal, bulk = false): Promise<number> {
    if (!(cost >= 0) || !Number.isFinite(cost)) return Promise.reject(new RangeError(`invalid cost ${cost}`));
    if (signal?.aborted) return Promise.reject(interruptedBy(signal));
    this.#refill();
    const ahead = bulkLastIndex(this.#queue, bulk);
    if (ahead === 0 && this.#tokens + EPSILON >= Math.min(cost, this.#size)) {
      this.#tokens -= cost;
      return Promise.resolve(0);
    }
    return new Promise<number>((resolve, reject) => {
      const onAbort = () => {
        const at = this.#queue.indexOf(waiter);
        if (at < 0) return;
        this.#queue.splice(at, 1);
        waiter.done();
        reject(interruptedBy(signal!));
        // The next caller may need less than the one that left.
        if (at === 0) this.#changed();
      };
      const waiter: Waiter = {
        cost,
        bulk,
        start: this.#now(),
        resolve,
        reject,
        done: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.splice(ahead, 0, waiter);
      this.#waits++;
      // A new head may need less than the one the pump sleeps for.
      if (ahead === 0) this.#changed();
      void this.#pump();
    });
  }

  /** A request that was acquired but not sent gives its units back. */
  refund(cost: number): void {
    this.#refill();
    this.#tokens = Math.min(this.#size, this.#tokens + cost);
    this.#changed();
  }

  /**
   * An answer came back; `units`: what the server charged for it (`x-ms-resource-unit`, else the
   * estimate). The units between two usage readings measure the budget (#measure). Call it before
   * usage() for the same answer: the reading includes its own charge.
   */
  answered(units: number): void {
    if (Number.isFinite(units) && units > 0) this.#answered += units;
  }

  /** The server's `x-ms-resource-unit` differed from the estimate paid in acquire(). */
  charged(estimated: number, actual: number): void {
    this.#refill();
    this.#tokens = Math.min(this.#size, this.#tokens + estimated - actual);
    if (estimated > actual) this.#changed();
  }

  /**
   * The server's `x-ms-throttle-limit-percentage` (sent only above 0.8, up to 1.8): its bucket holds
   * about capacity × (1 − fraction). The model only ever lowers on it: answers lag the requests
   * still in flight, whose cost the model already took. An overestimate of more than a quarter of
   * the capacity, at once or adding up (see #overestimated), means the budget is smaller than
   * assumed. Call charged() first, so that a wrong cost estimate is not taken for a smaller budget.
   */
  usage(fraction: number): void {
    if (!Number.isFinite(fraction)) return;
    this.#refill();
    this.#measure(fraction);
    const held = this.#capacity * (1 - fraction);
    if (this.#overestimated(this.#tokens - held)) {
      this.#tokens = Math.min(this.#size, this.#capacity * (1 - fraction));
    } else if (this.#tokens > held) {
      this.#tokens = held;
    }
  }

  /**
   * A 429 of this scope: the server's bucket holds enough again only after `retryAfterMs`, so the
   * model goes into a debt that the refill pays off in exactly that time. If the model still had
   * more than a tenth of the bucket, the budget is smaller than assumed. Otherwise the correction
   * still counts as an overestimate that adds up (see #overestimated): near the budget, a tier too
   * high shows as frequent short 429s rather than one far off. One 429 counts for at most a tenth of
   * the bucket, so that a single long Retry-After (a service under load) does not lower the budget
   * for the rest of the run.
   */
  throttled(retryAfterMs: number, retryCost = 0): void {
    this.#refill();
    const before = this.#tokens;
    const room = before > this.#size / 10;
    if (room) this.#stepDown();
    // `retryCost`: the server's Retry-After covers the refill that pays for the retry itself, so the
    // refused request can go again the moment the window ends.
    this.#tokens = Math.min(this.#tokens, Math.max(0, retryCost) - this.#rate * Math.max(0, retryAfterMs));
    if (!room) this.#overestimated(Math.min(this.#size / 10, before - this.#tokens));
  }

  snapshot(): BudgetPacerSnapshot {
    return {
      capacity: this.#capacity,
      tokens: this.tokens,
      waitedMs: this.#waitedMs,
      waits: this.#waits,
      stepDowns: this.#stepDowns,
    };
  }

  /**
   * Lowers the capacity to the next lower tier; below the lowest tier to 70% of the current, not
   * below the floor (Graph throttles below the published limits under heavy load, graph-facts 3.1).
   * There is no step up: a tenant's size class does not change during a run, and a wrong guess up
   * costs 429s. Returns false when already at the floor.
   */
  /** Lowers the capacity to `to`, or by default to the next lower tier; true when it moved. */
  #stepDown(to?: number): boolean {
    const lower = this.#tiers.filter((t) => t < this.#capacity);
    const next = to ?? (lower.length > 0 ? lower[lower.length - 1]! : Math.max(this.#floor, this.#capacity * 0.7));
    if (next >= this.#capacity) return false;
    this.#capacity = next;
    this.#tokens = Math.min(this.#tokens, this.#size);
    this.#over = 0;
    this.#stepDowns++;
    return true;
  }

  /**
   * Adds up by how much the model overestimated the server and steps down once that passes a quarter
   * of the capacity; true when it stepped down. Near the budget the answers correct the model a few
   * RU at a time, each too small to notice: a budget of 3,500 paced as 5,000 × 0.95 is 1,250 RU per
   * window too high, spread over hundreds of answers. The sum leaks DRIFT_TOLERANCE of the capacity
   * per window, so noise does not add up but a wrong tier does (in about a window).
   */
  #overestimated(amount: number): boolean {
    const at = this.#now();
    const leak = (Math.max(0, at - this.#overAt) * this.#capacity * DRIFT_TOLERANCE) / this.#windowMs;
    this.#over = Math.max(0, this.#over - leak) + Math.max(0, amount);
    this.#overAt = at;
    if (this.#over <= this.#capacity / 4) return false;
    this.#over = 0;
    return this.#stepDown();
  }

  /**
   * Two usage readings measure the budget itself. Between them the server's bucket changed by
   * B × (p1 − p2) = X − B × Δt / W (X: the units the server charged meanwhile, the refill B per window W), so
   * B = X / (Δt / W + p2 − p1). A budget measured well below the capacity steps down to the largest
   * documented tier it can pay at once,
   * where adding up overestimates takes many answers. Readings at least a tenth of a window apart.
   * X is what the answers between the readings were charged (answered()), not what was sent meanwhile:
   * with requests long in flight (a slow Graph, many `$batch` envelopes) the units sent between two
   * answers run apart from what the server counted between them (ahead while sending speeds up,
   * behind while it slows), and measured a budget that was not there (8,000 as 5,000 at 600 ms).
   */
  #measure(fraction: number): void {
    const at = this.#now();
    const last = this.#reading;
    if (last && at - last.at < this.#windowMs / 10) return;
    this.#reading = { at, fraction };
    const spent = this.#answered;
    this.#answered = 0;
    if (!last) return;
    const denominator = (at - last.at) / this.#windowMs + fraction - last.fraction;
    if (denominator <= 0.02 || spent <= 0) return;
    const measured = spent / denominator;
    if (measured >= this.#capacity * 0.85) return;
    // Budgets come in documented sizes: a measure near one (readings lag, answers race) means that one.
    const tier = [...this.#tiers].reverse().find((t) => t <= measured * 1.05) ?? (measured >= this.#tiers[0]! * 0.7 ? this.#tiers[0] : undefined);
    // A measure far below every documented size is more likely noise (answers out of order, a capped
    // reading) than a budget: the slower evidence of #overestimated deals with that case.
    if (tier === undefined) return;
    this.#stepDown(Math.max(this.#floor, tier));
  }

  #refill(): void {
    const at = this.#now();
    if (at > this.#last) {
      this.#tokens = Math.min(this.#size, this.#tokens + (at - this.#last) * this.#rate);
      this.#last = at;
    }
  }

  /**
   * The head may go sooner than the pump's sleep: wake it to look again. Only for changes in the
   * head's favour; after a change against it (usage, throttled) the pump wakes on time, finds too
   * little and sleeps again, which spares a timer per answer.
   */
  #changed(): void {
    this.#wake?.abort();
  }

  /** Serves the queue in order; one pump at a time, so only the head ever sleeps. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        this.#refill();
        const head = this.#queue[0]!;
        const need = Math.min(head.cost, this.#size);
        if (this.#tokens + EPSILON >= need) {
          this.#queue.shift();
          head.done();
          this.#tokens -= head.cost;
          const waited = Math.max(0, this.#now() - head.start);
          this.#waitedMs += waited;
          head.resolve(waited);
          continue;
        }
        const ms = Math.max(1, Math.ceil((need - this.#tokens) / this.#rate));
        const wake = new AbortController();
        this.#wake = wake;
        try {
          await untilAborted(this.#sleep(ms, wake.signal), wake.signal);
        } catch (err) {
          // A wake-up only means "look again"; a sleep that fails by itself fails the head.
          if (!wake.signal.aborted && this.#queue[0] === head) {
            this.#queue.shift();
            head.done();
            head.reject(err);
          }
        } finally {
          if (this.#wake === wake) this.#wake = undefined;
        }
      }
    } finally {
      this.#pumping = false;
    }
  }
}
