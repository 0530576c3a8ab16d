export type RetryAfterForm = 'integer' | 'decimal' | 'http-date' | 'none';

/** A rate limit over a sliding window: at most `requests` accepted requests in any `seconds`. */
export interface RateWindow {
  requests: number;
  seconds: number;
}

export interface ThrottleConfig {
  /** Every Nth request (counting requests outside a throttle window) is answered 429. */
  every?: number;
  /**
   * A sliding-window limit, e.g. `{ requests: 5, seconds: 10 }` for the reports scope (graph-facts 3.3,
   * https://learn.microsoft.com/graph/throttling-limits#identity-and-access-reports-service-limits):
   * a request that would be the (requests + 1)th accepted one inside the window is answered 429, with
   * Retry-After = the time until the oldest accepted request leaves the window. Only accepted requests
   * count, so a client that waits exactly Retry-After finds a free slot.
   */
  perWindow?: RateWindow;
  retryAfter: RetryAfterForm;
  /** Length of the window announced by Retry-After (for `every`; `perWindow` computes its own). Default 1. */
  seconds?: number;
}

export interface Violation {
  at: number;
  /** End of the window the request arrived in. */
  windowEnd: number;
  path: string;
}

export interface ThrottleDecision {
  /** Retry-After header value, absent for 'none'. */
  retryAfter?: string;
  violation: boolean;
}

/**
 * Throttling as Graph does it (graph-facts 3.1): a 429 with Retry-After opens a window
 * [now, now + Retry-After]; a request arriving inside it is a violation and is throttled again.
 */
export class Throttle {
  private config: ThrottleConfig | null = null;
  private counter = 0;
  private windowEnd = 0;
  private readonly found: Violation[] = [];
  /** Times of the requests accepted under a `perWindow` limit, oldest first. */
  private accepted: number[] = [];

  /** When the current window was last announced (a 429 with Retry-After sent). */
  private announcedAt = Number.NEGATIVE_INFINITY;

  /**
   * `graceMs`: a request arriving this soon after a window was announced was already on its way (a
   * sibling of the throttled item in the same $batch, an envelope sent before the 429 came back): it
   * is throttled, but it is not the client's violation. Graph checks every sub-request of a batch on
   * its own (https://learn.microsoft.com/graph/throttling#throttling-and-batching).
   */
  constructor(private readonly now: () => number, private readonly toleranceMs: number, private readonly graceMs = 25) {}

  set(config: ThrottleConfig): void {
    this.config = config;
    this.counter = 0;
    this.accepted = [];
  }

  off(): void {
    this.config = null;
  }

  violations(): Violation[] {
    return [...this.found];
  }

  /** The time until which requests are refused (0 when no window was ever opened). */
  get openUntil(): number {
    return this.windowEnd;
  }

  /** Records a window announced by any 429 (including injected faults). */
  recordRetryAfter(value: string, at: number): void {
    const secs = Number(value);
    const end = Number.isFinite(secs) ? at + secs * 1000 : Date.parse(value);
    if (Number.isFinite(end)) {
      this.windowEnd = Math.max(this.windowEnd, end);
      this.announcedAt = at;
    }
  }

  /** Decides whether this request is throttled; undefined lets it through. */
  check(path: string): ThrottleDecision | undefined {
    const at = this.now();
    if (at < this.windowEnd - this.toleranceMs) {
      const violation = at - this.announcedAt >= this.graceMs;
      if (violation) this.found.push({ at, windowEnd: this.windowEnd, path });
      return { ...this.open(at, this.config ?? { retryAfter: 'integer', seconds: 1 }), violation };
    }
    const c = this.config;
    if (!c) return undefined;
    if (c.perWindow) {
      const windowMs = c.perWindow.seconds * 1000;
      // The same tolerance as for windows: a request that early is counted as arriving on time.
      const horizon = at + this.toleranceMs - windowMs;
      let drop = 0;
      while (drop < this.accepted.length && (this.accepted[drop] as number) <= horizon) drop++;
      if (drop > 0) this.accepted.splice(0, drop);
      if (this.accepted.length >= c.perWindow.requests) {
        const waitMs = (this.accepted[0] as number) + windowMs - at;
        return { ...this.open(at, { ...c, seconds: waitMs / 1000 }), violation: false };
      }
    }
    if (c.every) {
      this.counter++;
      if (this.counter % c.every === 0) return { ...this.open(at, c), violation: false };
    }
    if (c.perWindow) this.accepted.push(at);
    return undefined;
  }

  private open(at: number, c: ThrottleConfig): { retryAfter?: string } {
    const seconds = c.seconds ?? 1;
    if (c.retryAfter !== 'none') this.announcedAt = at;
    switch (c.retryAfter) {
      case 'none':
        return {};
      case 'integer': {
        const s = Math.max(1, Math.ceil(seconds));
        this.windowEnd = Math.max(this.windowEnd, at + s * 1000);
        return { retryAfter: String(s) };
      }
      case 'decimal': {
        const s = Math.max(0.001, Math.round(seconds * 1000) / 1000);
        this.windowEnd = Math.max(this.windowEnd, at + s * 1000);
        return { retryAfter: s.toFixed(3) };
      }
      case 'http-date': {
        // An HTTP-date has one-second resolution: round the end up to a whole second, so a client
        // that waits until that date has waited at least `seconds`.
        const end = Math.ceil((at + seconds * 1000) / 1000) * 1000;
        this.windowEnd = Math.max(this.windowEnd, end);
        return { retryAfter: new Date(end).toUTCString() };
      }
    }
  }
}
