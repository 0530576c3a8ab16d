/** Counters kept per call (when the caller passes one) and in total on the transport. */
export interface TransportStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Responses that opened a throttle window: 429, or 503 with Retry-After. */
  throttled: number;
  /** Attempts repeated after a retryable outcome (429/503/504, network error, first 401). */
  retries: number;
  /** Milliseconds spent waiting at the shared throttle gate before sending. */
  throttleWaitMs: number;
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
  /** Retries after the first attempt for 429/503/504 and network errors. Default 8. */
  maxRetries?: number;
  /** First backoff step when the server gave no Retry-After. Default 1000 ms. */
  baseDelayMs?: number;
  /** Upper bound of one backoff step (before jitter). Default 60000 ms. */
  maxDelayMs?: number;
  /** Upper bound applied to a server's Retry-After. Default 300000 ms. */
  maxRetryAfterMs?: number;
  /** One attempt is aborted (and retried as a network error) after this long. Default 120000 ms. */
  requestTimeoutMs?: number;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

export const DEFAULT_RETRY_OPTIONS: ResolvedRetryOptions = Object.freeze({
  maxRetries: 8,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 300_000,
  requestTimeoutMs: 120_000,
});

/** Clock, timer and randomness, injectable so tests never sleep for real. */
export interface TimeSource {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export interface GetOptions {
  /** Incremented for this call only, e.g. per collection. */
  stats?: TransportStats;
  /** Extra request headers (e.g. Prefer, ConsistencyLevel, client-request-id). */
  headers?: Record<string, string>;
}

export interface GraphResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface GraphTransport {
  /** `url`: absolute (a nextLink / deltaLink, sent verbatim) or a path under `<graphEndpoint>/v1.0`. */
  get(url: string, options?: GetOptions): Promise<GraphResponse>;
  /** Totals over every call of this transport. */
  readonly stats: TransportStats;
}

/** One page of a Graph collection. */
export interface Page {
  value: object[];
  nextLink?: string;
  deltaLink?: string;
  /** Graph's `request-id` response header. */
  requestId?: string;
}
