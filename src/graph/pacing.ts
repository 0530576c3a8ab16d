import { AdaptiveLimit } from './adaptive-limit.js';
import { BudgetPacer, type BudgetPacerSnapshot } from './budget-pacer.js';
import { resourceUnitCost } from './resource-units.js';
import { throttleScopeOf, type ThrottleScope } from './throttle-scope.js';

/**
 * The identity scope's documented budgets per 10 s for an application+tenant pair: small, medium and
 * large tenants (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits).
 */
export const IDENTITY_BUDGETS = [3500, 5000, 8000] as const;

/**
 * The reports scope (auditLogs) in requests per 10 s: 5 in the current page
 * (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-reports-service-limits),
 * 1,000 per 20 s in the older one (graph-facts 3.3). The pacer starts at the larger and learns the
 * smaller from the first 429 that finds it.
 */
export const REPORTS_BUDGETS = [5, 500] as const;

export interface PacingOptions {
  /** The most requests in flight (--concurrency); the limit adapts below it. */
  concurrency: number;
  /** Budgets the identity pacer may learn, ascending (default IDENTITY_BUDGETS). */
  identityBudgets?: readonly number[];
  /** Budgets the reports pacer may learn, in requests per 10 s, ascending (default REPORTS_BUDGETS). */
  reportsBudgets?: readonly number[];
  /** The budgets' window (ms), default Graph's 10,000 (tests scale time down with a shorter one). */
  windowMs?: number;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What one answer tells the pacing, read by RetryMiddleware (plain requests) and batchPages (items). */
export interface PacingAnswer {
  url: string;
  /** The units acquired for it. */
  estimated: number;
  status: number;
  /** Response headers, lower-case names. */
  header(name: string): string | null;
  /** The window a throttled answer opened (ms), when it opened one. */
  throttledForMs?: number;
}

export interface PacingSnapshot {
  concurrency: number;
  identity: BudgetPacerSnapshot;
  reports: BudgetPacerSnapshot;
}

/**
 * How fast the transport sends: a budget pacer per Graph throttle scope (resource units for the
 * identity scope, requests for the reports scope) and one adaptive concurrency limit over both.
 * Requests go as fast as the learned budget allows, so a full pull runs close to Graph's budget
 * without tripping it, and the throttle gates (throttle-gate.ts) still hold every request back for a
 * Retry-After when a 429 comes anyway.
 */
export class Pacing {
  readonly limit: AdaptiveLimit;
  readonly #pacers: Record<ThrottleScope, BudgetPacer>;

  constructor(o: PacingOptions) {
    this.limit = new AdaptiveLimit(o.concurrency, { now: o.now });
    this.#pacers = {
      identity: new BudgetPacer({ tiers: o.identityBudgets ?? IDENTITY_BUDGETS, windowMs: o.windowMs, now: o.now, sleep: o.sleep }),
      reports: new BudgetPacer({ tiers: o.reportsBudgets ?? REPORTS_BUDGETS, windowMs: o.windowMs, now: o.now, sleep: o.sleep }),
    };
  }

  pacerOf(url: string): BudgetPacer {
    return this.#pacers[throttleScopeOf(url)];
  }

  /** A request's cost in its scope's units: resource units (identity) or 1 (reports). */
  costOf(method: string, url: string): number {
    return throttleScopeOf(url) === 'reports' ? 1 : resourceUnitCost(method, url);
  }

  /**
   * Learns from one answer: the units charged, the usage the server reports, a throttle. `item`: a
   * sub-request of a `$batch` (its envelope is the attempt the concurrency limit counts).
   */
  observe(a: PacingAnswer, item = false): void {
    const pacer = this.pacerOf(a.url);
    const charged = numberHeader(a, 'x-ms-resource-unit');
    if (charged !== undefined && charged >= 0) pacer.charged(a.estimated, charged);
    // A `$batch` envelope is charged through its items, each observed on its own.
    if (!BATCH_ENVELOPE.test(a.url)) pacer.answered(charged !== undefined && charged >= 0 ? charged : a.estimated);
    const usage = numberHeader(a, 'x-ms-throttle-limit-percentage');
    if (usage !== undefined && usage > 0) pacer.usage(usage);
    if (a.status === 429 || a.throttledForMs !== undefined) {
      if (a.status === 429) pacer.throttled(a.throttledForMs ?? 0, a.estimated);
      this.limit.throttled();
    } else if (a.status < 500 && !item) {
      this.limit.succeeded();
    }
  }

  snapshot(): PacingSnapshot {
    return { concurrency: this.limit.limit, identity: this.#pacers.identity.snapshot(), reports: this.#pacers.reports.snapshot() };
  }
}

/** The `$batch` endpoint: its envelope answers carry no charge of their own. */
const BATCH_ENVELOPE = /\/\$batch\/?(\?|$)/i;

/** A numeric response header, or undefined when absent or not a number. */
function numberHeader(a: PacingAnswer, name: string): number | undefined {
  const raw = a.header(name);
  const n = raw === null || raw.trim() === '' ? Number.NaN : Number(raw);
  return Number.isFinite(n) ? n : undefined;
}
