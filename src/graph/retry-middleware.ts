import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { EntraExtractError } from '../errors/index.js';
import type { TokenSource } from '../auth/token-source.js';
import { attemptSignal, interruptedBy, sleepUnlessStopped, throwIfStopped, untilAborted } from './abort.js';
import { backoffDelay } from './backoff.js';
import { judgeSuccessBody } from './body-check.js';
import { describeNetworkError, isRetryableNetworkError } from './network-error.js';
import type { Pacing } from './pacing.js';
import { RequestState } from './request-state.js';
import { parseErrorBody } from './response-error.js';
import { parseRetryAfter } from './retry-after.js';
import { authRejected, exhausted, exhaustedByResponse, invalidResponse, throttledTooLong } from './retry-errors.js';
import { WindowTooLongError, type ThrottleGate } from './throttle-gate.js';
import type { ResolvedRetryOptions, TimeSource, TransportEvent, TransportStats } from './types.js';

export interface RetryMiddlewareDeps {
  tokenSource: TokenSource;
  /** The throttle window of the request's scope (identity or reports: throttle-scope.ts). */
  gateFor: (url: string) => ThrottleGate;
  /**
   * The transport's one concurrency limiter. It holds a slot for one attempt only (sending and
   * reading the body): waiting out a Retry-After or a backoff holds none, so a throttled scope never
   * keeps another scope's requests waiting. Default: no limit.
   */
  limit?: <T>(attempt: () => Promise<T>, bulk?: boolean) => Promise<T>;
  /**
   * Paces each attempt by its scope's budget before it takes a slot, and learns from each answer
   * (pacing.ts). Default: no pacing.
   */
  pacing?: Pacing;
  retry: ResolvedRetryOptions;
  time: TimeSource;
  /** Transport-wide totals. */
  totals: TransportStats;
  onEvent?: (event: TransportEvent) => void;
  /** The run's stop signal: ends every wait and aborts every attempt in flight (InterruptedError). */
  signal?: AbortSignal;
}

/**
 * Statuses worth another attempt: 429 throttled, 500/502/503 server or gateway trouble, 504 gateway
 * timeout (https://learn.microsoft.com/graph/errors, https://learn.microsoft.com/graph/throttling).
 */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/**
 * The one owner of retries. It sits first in the chain, before the library's AuthenticationHandler,
 * so every attempt gets the current token; there is no library RetryHandler.
 * Policy (https://learn.microsoft.com/graph/throttling, https://learn.microsoft.com/graph/errors):
 * 429 → Retry-After (or backoff) and close the shared gate; 500/502/503 → the same when they carry
 * Retry-After, else backoff; 504 → its Retry-After or backoff; a Retry-After over maxWaitMs → close
 * the gate for the server's full time and fail; network errors, timeouts and a body cut short →
 * backoff; a 2xx whose body is not the JSON asked for → backoff; 401 → invalidate the token once and
 * retry; anything else → hand the response back to the caller. The whole body is read here, inside
 * the loop, so nothing after this can meet a broken connection or a non-Graph answer.
 */
export class RetryMiddleware implements Middleware {
  #next?: Middleware;

  constructor(private readonly deps: RetryMiddlewareDeps) {}

  setNext(next: Middleware): void {
    this.#next = next;
  }

  async execute(context: Context): Promise<void> {
    const state =
      (context.middlewareControl?.getMiddlewareOptions(RequestState) as RequestState | undefined) ?? new RequestState();
    try {
      await this.#run(context, state);
    } catch (err) {
      // The client wraps whatever we throw in its own GraphError; the transport rethrows state.error.
      state.error ??= err;
      throw err;
    }
  }

  async #run(context: Context, state: RequestState): Promise<void> {
    const next = this.#next;
    if (!next) throw new Error('RetryMiddleware has no next middleware');
    const { retry, time, tokenSource, signal } = this.deps;
    const limit = this.deps.limit ?? ((attempt) => attempt());
    // GraphRequest re-parses and re-orders the query string of the URL given to client.api();
    // a nextLink must reach Graph exactly as Graph wrote it.
    if (state.url !== undefined) context.request = state.url;
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const gate = this.deps.gateFor(url);
    const pacing = this.deps.pacing;
    const pacer = pacing?.pacerOf(url);
    const baseOptions = { ...(context.options ?? {}) };
    const method = (baseOptions.method ?? 'GET').toUpperCase();
    const baseHeaders = plainHeaders(baseOptions.headers);
    const givenRequestId = baseHeaders['client-request-id'];
    const count = (key: Exclude<keyof TransportStats, 'batchItems'>, n = 1) => {
      this.deps.totals[key] += n;
      if (state.stats) state.stats[key] += n;
    };

    /** Retries after failures (maxRetries), and after 429s (maxThrottledRetries): see RetryOptions. */
    let retries = 0;
    let throttledRetries = 0;
    const attempts = () => retries + throttledRetries;
    let tokenRefreshed = false;
    /**
     * 429 throttles the app+tenant pair in its scope, not this connection; a 5xx with Retry-After is
     * the service asking every client to hold off. Both close the scope's window for the server's
     * full time (or a backoff when a 429 gives none), even when this request gives up. A 504 waits on its own.
     */
    const throttleWindowMs = (r: Response, attempt: number): number | undefined => {
      if (!RETRYABLE_STATUSES.has(r.status)) return undefined;
      const retryAfterMs = parseRetryAfter(r.headers.get('retry-after'), time.now());
      if (r.status !== 429 && (retryAfterMs === undefined || r.status === 504)) return undefined;
      return retryAfterMs ?? backoffDelay(attempt, retry, time.random);
    };
    /** Counts and announces one more attempt, then waits for it (unless the shared gate does). */
    const again = async (reason: string, waitMs: number, atGate = false, throttled = false) => {
      if (throttled) throttledRetries += 1;
      else retries += 1;
      count('retries');
      this.#emit({ type: 'retry', url, attempt: attempts(), reason, waitMs });
      if (!atGate) await sleepUnlessStopped(time.sleep, waitMs, signal);
    };

    for (;;) {
      throwIfStopped(signal);
      const waited = await this.#passGate(gate, method, url);
      if (waited > 0) count('throttleWaitMs', waited);
      throwIfStopped(signal);
      // The attempt's share of the scope's budget, paid before it may take a slot.
      const cost = pacing ? state.cost ?? pacing.costOf(method, url) : 0;
      if (pacer && cost > 0) await pacer.acquire(cost, signal, state.bulk);

      // A context of its own per attempt: an abandoned attempt can never write into the next one.
      // Fresh headers each attempt: AuthenticationHandler *appends* Authorization, and every
      // attempt gets its own client-request-id unless the caller chose one.
      let timer: ReturnType<typeof attemptSignal> | undefined;
      let response: Response;
      let text: string | undefined;
      let throttledFor: number | undefined;
      try {
        // A slot of the limiter for this attempt only; the attempt's timeout starts with it.
        const sent = await limit(async () => {
          throwIfStopped(signal);
          // The window may have closed again while this request waited for a slot: then it gives the
          // slot back and waits at the gate, so nothing is ever sent inside a Retry-After window.
          if (gate.until > time.now()) return undefined;
          timer = attemptSignal(signal, retry.requestTimeoutMs);
          const attempt: Context = {
            ...context,
            options: {
              ...baseOptions,
              headers: { ...baseHeaders, 'client-request-id': givenRequestId ?? randomUUID() },
              signal: timer.signal,
            },
            response: undefined,
          };
          count('requests');
          await untilAborted(next.execute(attempt), timer.signal);
          if (!attempt.response) throw new Error('the middleware chain returned no response');
          const got = attempt.response;
          // A throttled answer closes its scope's window before the slot is given back, so no request
          // waiting for the slot can go out inside the window.
          const windowMs = throttleWindowMs(got, attempts());
          if (windowMs !== undefined) gate.pauseUntil(time.now() + windowMs);
          pacing?.observe({ url, estimated: cost, status: got.status, header: (name) => got.headers.get(name), throttledForMs: windowMs });
          // The body of a response we retry anyway only feeds a message: a failure to read it is no failure.
          const body = willRetry(got.status)
            ? await untilAborted(got.text(), timer.signal).catch(() => undefined)
            : await untilAborted(got.text(), timer.signal);
          return { response: got, text: body, windowMs };
        }, state.bulk);
        if (sent === undefined) {
          // Not sent after all: the units go back to the budget.
          if (pacer && cost > 0) pacer.refund(cost);
          continue;
        }
        ({ response, text, windowMs: throttledFor } = sent);
      } catch (err) {
        // A stop is never retried nor counted as a network error.
        if (signal?.aborted) throw interruptedBy(signal);
        const timedOut = timer?.timedOut === true && !(err instanceof EntraExtractError);
        if (!timedOut && !isRetryableNetworkError(err)) throw err;
        const reason = `network error (${timedOut ? 'timeout' : describeNetworkError(err)})`;
        if (retries >= retry.maxRetries) throw exhausted(method, url, attempts(), reason, undefined, err);
        await again(reason, backoffDelay(attempts(), retry, time.random));
        continue;
      } finally {
        timer?.dispose();
      }
      throwIfStopped(signal);

      const status = response.status;
      if (status === 401) {
        if (!tokenRefreshed) {
          tokenRefreshed = true;
          tokenSource.invalidate();
          count('retries');
          this.#emit({ type: 'token-refresh' });
          this.#emit({ type: 'retry', url, attempt: attempts() + 1, reason: '401', waitMs: 0 });
          continue;
        }
        throw authRejected(method, url, response, parseErrorBody(text));
      }

      if (RETRYABLE_STATUSES.has(status)) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), time.now());
        // A 429 (or a 5xx with Retry-After) closed its scope's window when it arrived (throttleWindowMs).
        const opensWindow = throttledFor !== undefined;
        const waitMs = throttledFor ?? retryAfterMs ?? backoffDelay(attempts(), retry, time.random);
        if (opensWindow) {
          count('throttled');
          this.#emit({ type: 'throttled', url, waitMs, status });
        }
        if (retryAfterMs !== undefined && retryAfterMs > retry.maxWaitMs) {
          // Never cut the server's wait short: a retry inside its window only earns another 429.
          const requestId = response.headers.get('request-id') ?? undefined;
          throw throttledTooLong(method, url, retryAfterMs, retry.maxWaitMs, { status, requestId });
        }
        const throttled = status === 429;
        const spent = throttled ? throttledRetries >= retry.maxThrottledRetries : retries >= retry.maxRetries;
        if (spent) throw exhaustedByResponse(method, url, attempts(), response, parseErrorBody(text));
        // With the gate closed, the wait happens at gate.wait() at the top of the loop, with every other request.
        await again(String(status), waitMs, opensWindow, throttled);
        continue;
      }

      if (response.ok) {
        const verdict = judgeSuccessBody(response.headers.get('content-type'), text ?? '', state.accept);
        if (!verdict.ok) {
          if (retries >= retry.maxRetries) throw invalidResponse(method, url, attempts(), response, verdict.problem);
          await again(`invalid response: ${verdict.problem}`, backoffDelay(attempts(), retry, time.random));
          continue;
        }
        state.body = verdict.body;
      } else {
        state.body = parseErrorBody(text);
      }
      context.response = response;
      return;
    }
  }

  /** Waits for the shared throttle window; fails the request when the window left is over maxWaitMs. */
  async #passGate(gate: ThrottleGate, method: string, url: string): Promise<number> {
    const { retry, signal } = this.deps;
    try {
      return await gate.wait({ signal, maxWaitMs: retry.maxWaitMs });
    } catch (err) {
      if (err instanceof WindowTooLongError) throw throttledTooLong(method, url, err.remainingMs, retry.maxWaitMs, { shared: true });
      throw err;
    }
  }

  #emit(event: TransportEvent): void {
    try {
      this.deps.onEvent?.(event);
    } catch {
      // A progress display must never break a pull.
    }
  }
}

/** Responses answered with another attempt (401 once, retryable statuses); their body only feeds messages. */
function willRetry(status: number): boolean {
  return status === 401 || RETRYABLE_STATUSES.has(status);
}

/** Request headers as a plain lower-case object, without any Authorization from an earlier attempt. */
function plainHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers) {
    new Headers(headers as ConstructorParameters<typeof Headers>[0]).forEach((value, key) => {
      out[key] = value;
    });
  }
  delete out['authorization'];
  return out;
}
