import type { MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import type { TransportStats } from './types.js';

/**
 * Per-request state handed between the transport and RetryMiddleware through the client's
 * middlewareOptions (the client keys them by constructor).
 */
export class RequestState implements MiddlewareOptions {
  /** Set by RetryMiddleware when it gives up; the transport rethrows it as is. */
  error?: unknown;
  /**
   * Set by RetryMiddleware: the body it read inside its retry loop (so a body cut short is retried).
   * For a 2xx the parsed JSON that passed `accept`; otherwise JSON when it parses, else text or undefined.
   */
  body?: unknown;

  constructor(
    /** An absolute URL to send exactly as given (see RetryMiddleware for why). */
    readonly url?: string,
    /** The caller's per-call counters. */
    readonly stats?: TransportStats,
    /** The caller's check of a 2xx JSON body (GetOptions.accept). */
    readonly accept?: (body: unknown) => string | undefined,
    /** The attempt's cost in its scope's budget, when the caller knows it better (a `$batch`: its items' sum). */
    readonly cost?: number,
    /** Bulk work (a fan-out's `$batch` envelope): the limiter and the pacer serve other requests first (GetOptions.bulk). */
    readonly bulk = false,
  ) {}
}
