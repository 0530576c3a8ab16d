export type RetryAfterForm = 'integer' | 'decimal' | 'http-date' | 'none';

export interface ThrottleConfig {
  /** Every Nth request (counting requests outside a throttle window) is answered 429. */
  every?: number;
  retryAfter: RetryAfterForm;
  /** Length of the window announced by Retry-After. */
  seconds: number;
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

  constructor(private readonly now: () => number, private readonly toleranceMs: number) {}

  set(config: ThrottleConfig): void {
    this.config = config;
    this.counter = 0;
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
    if (Number.isFinite(end)) this.windowEnd = Math.max(this.windowEnd, end);
  }

  /** Decides whether this request is throttled; undefined lets it through. */
  check(path: string): ThrottleDecision | undefined {
    const at = this.now();
    if (at < this.windowEnd - this.toleranceMs) {
      this.found.push({ at, windowEnd: this.windowEnd, path });
      return { ...this.open(at, this.config ?? { retryAfter: 'integer', seconds: 1 }), violation: true };
    }
    if (!this.config?.every) return undefined;
    this.counter++;
    if (this.counter % this.config.every !== 0) return undefined;
    return { ...this.open(at, this.config), violation: false };
  }

  private open(at: number, c: ThrottleConfig): { retryAfter?: string } {
    switch (c.retryAfter) {
      case 'none':
        return {};
      case 'integer': {
        const s = Math.max(1, Math.ceil(c.seconds));
        this.windowEnd = Math.max(this.windowEnd, at + s * 1000);
        return { retryAfter: String(s) };
      }
      case 'decimal': {
        const s = Math.max(0.001, Math.round(c.seconds * 1000) / 1000);
        this.windowEnd = Math.max(this.windowEnd, at + s * 1000);
        return { retryAfter: s.toFixed(3) };
      }
      case 'http-date': {
        // An HTTP-date has one-second resolution: round the end up to a whole second, so a client
        // that waits until that date has waited at least `seconds`.
        const end = Math.ceil((at + c.seconds * 1000) / 1000) * 1000;
        this.windowEnd = Math.max(this.windowEnd, end);
        return { retryAfter: new Date(end).toUTCString() };
      }
    }
  }
}
