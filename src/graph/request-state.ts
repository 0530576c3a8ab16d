import type { MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import type { TransportStats } from './types.js';

/**
 * Per-request state handed from the transport to RetryMiddleware through the client's
 * middlewareOptions (the client keys them by constructor).
 */
export class RequestState implements MiddlewareOptions {
  /** Set by RetryMiddleware when it gives up; the transport rethrows it as is. */
  error?: unknown;

  constructor(
    /** An absolute URL to send exactly as given (see RetryMiddleware for why). */
    readonly url?: string,
    /** The caller's per-call counters. */
    readonly stats?: TransportStats,
  ) {}
}
