/**
 * The identity-and-access resource-unit (RU) budget of Microsoft Graph, as a token bucket
 * (graph-facts 3.2, https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits):
 * per application+tenant pair 3,500 / 5,000 / 8,000 RU per 10 s for small / medium / large tenants.
 * Each request costs its documented RU; a request the bucket cannot pay is answered 429 with a
 * Retry-After (seconds, fractional) after which the bucket holds enough for it. A request that
 * arrives inside a Retry-After window the client has been told of is a violation and is refused again.
 *
 * Only used by the opt-in graph profile (graph-profile.ts); Throttle keeps its own semantics.
 */

import { resourceUnitCost as documentedCost } from '../../graph/resource-units.js';

/**
 * The RU cost of one identity-scope request, priced by the client's own table
 * (src/graph/resource-units.ts) so that the simulation and the pacer agree on the documented costs.
 * `path` is relative to the version root (`/users/delta`), `search` the query string (with or without `?`).
 */
export function resourceUnitCost(method: string, path: string, search: string): number {
  const query = search === '' || search.startsWith('?') ? search : `?${search}`;
  return documentedCost(method, `${path}${query}`);
}

export interface RuDecision {
  /** True when the request may be served (its cost was taken from the bucket). */
  ok: boolean;
  /** RU charged (0 when refused). */
  charged: number;
  /** Retry-After in seconds (3 decimals) when refused. */
  retryAfter?: string;
  /** When refused: the end of the window its Retry-After announces (epoch ms). */
  windowEnd?: number;
  violation: boolean;
  /** Share of the budget used after this request, for `x-ms-throttle-limit-percentage` (sent above 0.8). */
  usage: number;
}

export interface RuViolation {
  at: number;
  windowEnd: number;
  path: string;
}

export class RuBudget {
  private tokens: number;
  private last: number;
  private windowEnd = 0;
  /** Windows the client has been told of: when their 429 was delivered, and until when it said to wait. */
  private known: { at: number; until: number }[] = [];
  private readonly found: RuViolation[] = [];
  /** When each request was served and refused (epoch ms), for tests that look at a run's course. */
  readonly servedAt: number[] = [];
  readonly refusedAt: number[] = [];
  used = 0;

  /**
   * `perTenSeconds`: the budget (default 8,000, a large tenant). `toleranceMs`: a request this early
   * before the window ends counts as on time. `graceMs`: a request this soon after a 429 was delivered
   * (see delivered()) was already on its way: refused, but no violation.
   */
  constructor(
    private readonly now: () => number,
    readonly perTenSeconds = 8000,
    private readonly toleranceMs = 1,
    private readonly graceMs = 25,
    /** The budget's window: Graph's is 10 s; tests scale time down with a shorter one. */
    private readonly windowMs = 10_000,
  ) {
    this.tokens = perTenSeconds;
    this.last = now();
  }

  private get ratePerMs(): number {
    return this.perTenSeconds / this.windowMs;
  }

  /** RU in the bucket now (refilled continuously up to the budget). */
  available(at = this.now()): number {
    if (at > this.last) {
      this.tokens = Math.min(this.perTenSeconds, this.tokens + (at - this.last) * this.ratePerMs);
      this.last = at;
    }
    return this.tokens;
  }

  violations(): RuViolation[] {
    return [...this.found];
  }

  get openUntil(): number {
    return this.windowEnd;
  }

  /**
   * A 429 this budget decided has reached the client (the caller's latency has passed): from `graceMs`
   * later, a request sent before the window it announced ends is a violation. Judging from the
   * decision instead would blame the client for requests it sent while the 429 was still on its way
   * (the answer's latency, or a test machine's busy event loop), which no client can avoid.
   */
  delivered(decision: RuDecision): void {
    if (decision.windowEnd === undefined) return;
    const at = this.now();
    this.known = this.known.filter((k) => k.until > at);
    this.known.push({ at, until: decision.windowEnd });
  }

  /** Takes `cost` RU for a request to `path`, or refuses it with a Retry-After. */
  take(cost: number, path: string): RuDecision {
    const at = this.now();
    const tokens = this.available(at);
    if (at < this.windowEnd - this.toleranceMs) {
      const violation = this.known.some((k) => at >= k.at + this.graceMs && at < k.until - this.toleranceMs);
      if (violation) this.found.push({ at, windowEnd: this.windowEnd, path });
      // "Throttled requests still count against usage" (https://learn.microsoft.com/graph/throttling,
      // graph-facts 3.1): a request sent into the window pays and pushes the window further out.
      this.pay(cost, at);
      this.extendWindow(at, cost);
      return { ok: false, charged: cost, ...this.announce(at), violation, usage: this.usage() };
    }
    // The tolerance: a request that early is paid by the refill it would have had on time.
    if (tokens + this.toleranceMs * this.ratePerMs >= cost) {
      this.tokens = tokens - cost;
      this.used += cost;
      this.servedAt.push(at);
      return { ok: true, charged: cost, violation: false, usage: this.usage() };
    }
    // A refused request still counts against usage (see above): the bucket goes below zero, and the
    // window lasts until the refill can pay for the request again.
    this.pay(cost, at);
    this.extendWindow(at, cost);
    return { ok: false, charged: cost, ...this.announce(at), violation: false, usage: this.usage() };
  }

  private announce(at: number): { retryAfter: string; windowEnd: number } {
    const retryAfter = this.secondsUntil(this.windowEnd - at);
    return { retryAfter, windowEnd: at + Number(retryAfter) * 1000 };
  }

  private pay(cost: number, at: number): void {
    this.tokens -= cost;
    this.used += cost;
    this.refusedAt.push(at);
  }

  /** Requests refused. */
  get refused(): number {
    return this.refusedAt.length;
  }

  /** The window ends when the bucket holds `cost` again. */
  private extendWindow(at: number, cost: number): void {
    const waitMs = Math.ceil((cost - this.tokens) / this.ratePerMs);
    this.windowEnd = Math.max(this.windowEnd, at + waitMs);
  }

  /** Gives back RU taken for a request that was not served after all (401: refused before any work). */
  refund(cost: number): void {
    this.tokens = Math.min(this.perTenSeconds, this.tokens + cost);
    this.used -= cost;
  }

  private usage(): number {
    return (this.perTenSeconds - this.tokens) / this.perTenSeconds;
  }

  private secondsUntil(ms: number): string {
    return (Math.max(1, Math.ceil(ms)) / 1000).toFixed(3);
  }
}
