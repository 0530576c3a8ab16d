import type { Pacing, PacingSnapshot } from './pacing.js';

/** Counters kept per call (when the caller passes one) and in total on the transport. */
export interface TransportStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Responses that opened a throttle window: 429, or 500/502/503 with Retry-After. */
  throttled: number;
  /** Attempts repeated after a retryable outcome (429/500/502/503/504, network error, invalid 2xx body, first 401). */
  retries: number;
  /** Milliseconds spent waiting at the shared throttle gate before sending. */
  throttleWaitMs: number;
  /**
   * Sub-requests sent inside JSON `$batch` envelopes, re-sent items included (each envelope itself
   * counts once in `requests`). Absent until a batch is sent.
   */
  batchItems?: number;
}

export function emptyStats(): TransportStats {
  return { requests: 0, throttled: 0, retries: 0, throttleWaitMs: 0 };
}

/** Progress events for a display; a listener that throws is ignored. */
export type TransportEvent =
  | { type: 'throttled'; url: string; waitMs: number; status: number }
  | { type: 'retry'; url: string; attempt: number; reason: string; waitMs: number }
  | { type: 'token-refresh' };

export interface RetryOptions {
  /** Retries after the first attempt for 500/502/503/504, network errors and invalid 2xx bodies. Default 8. */
  maxRetries?: number;
  /**
   * Retries after a 429, counted apart: a 429 is Graph's flow control, not a failure ("back off
   * using the Retry-After delay", https://learn.microsoft.com/graph/throttling), so a long throttled
   * stretch of a large tenant must not use up the budget meant for failures. Each wait is still
   * bounded by maxWaitMs. Default 30.
   */
  maxThrottledRetries?: number;
  /** First backoff step when the server gave no Retry-After. Default 1000 ms. */
  baseDelayMs?: number;
  /** Upper bound of one backoff step (before jitter). Default 60000 ms. */
  maxDelayMs?: number;
  /**
   * The longest Retry-After (or throttle window left) a request waits out (--max-wait). A longer one
   * is never cut short, since sending inside the server's window only earns another 429: the shared
   * window stays closed for the server's full time and the request fails with
   * GRAPH_THROTTLED_TOO_LONG. Default 600000 ms (10 minutes).
   */
  maxWaitMs?: number;
  /** One attempt (sending and reading the whole body) is aborted and retried as a network error after this long. Default 120000 ms. */
  requestTimeoutMs?: number;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

export const DEFAULT_RETRY_OPTIONS: ResolvedRetryOptions = Object.freeze({
  maxRetries: 8,
  maxThrottledRetries: 30,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  maxWaitMs: 600_000,
  requestTimeoutMs: 120_000,
});

/**
 * Clock, timer and randomness, injectable so tests never sleep for real. `sleep` may ignore the
 * signal: every sleep is also raced against it (see abort.ts).
 */
export interface TimeSource {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
}

export interface GetOptions {
  /** Incremented for this call only, e.g. per collection. */
  stats?: TransportStats;
  /** Extra request headers (e.g. Prefer, ConsistencyLevel, client-request-id). */
  headers?: Record<string, string>;
  /**
   * Checks the parsed JSON body of a 2xx response; returns why it is not acceptable, in plain words
   * (e.g. "a JSON object without a `value` array"), or undefined when it is. An unacceptable body is
   * retried like a 5xx, then fails with GRAPH_INVALID_RESPONSE.
   */
  accept?: (body: unknown) => string | undefined;
  /**
   * The request's cost in its throttle scope's budget (resource units), when the caller knows it
   * better than its URL does: a `$batch` envelope costs what its items cost.
   */
  cost?: number;
  /**
   * Bulk work whose throughput matters, not each request's wait: a fan-out's `$batch` envelope. The
   * limiter and the pacer serve every other request first, so that a page chain (each page's link
   * comes from the page before) never queues behind a fan-out that can fill the budget by itself.
   */
  bulk?: boolean;
}

export interface GraphResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body (for a 2xx, always JSON that passed GetOptions.accept). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface GraphTransport {
  /** `url`: absolute (a nextLink / deltaLink, sent verbatim) or a path under `<graphEndpoint>/v1.0`. */
  get(url: string, options?: GetOptions): Promise<GraphResponse>;
  /** Totals over every call of this transport. */
  readonly stats: TransportStats;
}

/**
 * What a scheduler built on the transport (JSON `$batch`) shares with it, so that its sub-requests
 * obey the same throttle window, retry limits, clock and stop signal as plain requests.
 */
export interface TransportShared {
  /** Graph root without version and without a trailing slash, e.g. https://graph.microsoft.com. */
  readonly graphEndpoint: string;
  /** The size of the transport's one limiter (requests in flight over all callers). */
  readonly concurrency: number;
  readonly retry: ResolvedRetryOptions;
  readonly time: TimeSource;
  /** The run's stop signal. */
  readonly signal?: AbortSignal;
  /** Closes the shared throttle window until `time` (epoch ms); it only ever extends. */
  pauseUntil(time: number): void;
  /** Budget pacing (pacing.ts): what a sub-request costs and what its answer says. Absent: no pacing. */
  readonly pacing?: Pick<Pacing, 'costOf' | 'observe'>;
  /** Drops the cached token, so the next request gets a fresh one. */
  invalidateToken(): void;
  /** Announces progress to the transport's listener (a listener that throws is ignored). */
  emit(event: TransportEvent): void;
}

/** The transport as createGraphTransport builds it: GET, POST (e.g. `$batch`) and what schedulers share. */
export interface BatchTransport extends GraphTransport {
  /**
   * POSTs `body` as JSON through the same limiter, throttle gate and retry owner as get(): 429/5xx,
   * network errors, a 401 (token refreshed once) and a 2xx body refused by `options.accept` are
   * retried. `url` as for get().
   */
  post(url: string, body: unknown, options?: GetOptions): Promise<GraphResponse>;
  readonly shared: TransportShared;
  /** What the pacing has learned so far (budgets, concurrency); undefined without pacing. */
  pacingSnapshot?(): PacingSnapshot | undefined;
}

/**
 * How a collection is read: `delta` rounds end only at a page carrying `@odata.deltaLink`
 * (https://learn.microsoft.com/graph/delta-query-overview); a `list` ends at the first page without
 * `@odata.nextLink`.
 */
export type PageKind = 'delta' | 'list';

/** One page of a Graph collection. */
export interface Page {
  value: object[];
  nextLink?: string;
  deltaLink?: string;
  /** Graph's `request-id` response header. */
  requestId?: string;
}
