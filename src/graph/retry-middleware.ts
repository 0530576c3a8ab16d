import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { AuthError, GraphError } from '../errors/index.js';
import type { TokenSource } from '../auth/token-source.js';
import { backoffDelay } from './backoff.js';
import { describeNetworkError, isRetryableNetworkError } from './network-error.js';
import { RequestState } from './request-state.js';
import { graphCodeOf, readBody } from './response-error.js';
import { parseRetryAfter } from './retry-after.js';
import type { ThrottleGate } from './throttle-gate.js';
import type { ResolvedRetryOptions, TimeSource, TransportEvent, TransportStats } from './types.js';

export interface RetryMiddlewareDeps {
  tokenSource: TokenSource;
  gate: ThrottleGate;
  retry: ResolvedRetryOptions;
  time: TimeSource;
  /** Transport-wide totals. */
  totals: TransportStats;
  onEvent?: (event: TransportEvent) => void;
}

/**
 * The one owner of retries. It sits first in the chain, before the library's AuthenticationHandler,
 * so every attempt gets the current token; there is no library RetryHandler.
 * Policy (https://learn.microsoft.com/graph/throttling, /graph/errors):
 * 429 → Retry-After (or backoff) and close the shared gate; 503 → same when it carries Retry-After,
 * else backoff; 504 and network errors → Retry-After or backoff; 401 → invalidate the token once and
 * retry; anything else → hand the response back to the caller.
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
    const { gate, retry, time, tokenSource } = this.deps;
    // GraphRequest re-parses and re-orders the query string of the URL given to client.api();
    // a nextLink must reach Graph exactly as Graph wrote it.
    if (state.url !== undefined) context.request = state.url;
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const baseOptions = { ...(context.options ?? {}) };
    const method = (baseOptions.method ?? 'GET').toUpperCase();
    const baseHeaders = plainHeaders(baseOptions.headers);
    const givenRequestId = baseHeaders['client-request-id'];
    const count = (key: keyof TransportStats, n = 1) => {
      this.deps.totals[key] += n;
      if (state.stats) state.stats[key] += n;
    };

    let retries = 0;
    let tokenRefreshed = false;
    for (;;) {
      const waited = await gate.wait();
      if (waited > 0) count('throttleWaitMs', waited);

      // Fresh headers each attempt: AuthenticationHandler *appends* Authorization, and every
      // attempt gets its own client-request-id unless the caller chose one.
      context.options = {
        ...baseOptions,
        headers: { ...baseHeaders, 'client-request-id': givenRequestId ?? randomUUID() },
        signal: AbortSignal.timeout(retry.requestTimeoutMs),
      };
      context.response = undefined;
      count('requests');

      let response: Response;
      try {
        await next.execute(context);
        if (!context.response) throw new Error('the middleware chain returned no response');
        response = context.response;
      } catch (err) {
        if (!isRetryableNetworkError(err)) throw err;
        const reason = `network error (${describeNetworkError(err)})`;
        if (retries >= retry.maxRetries) throw exhausted(method, url, retries, reason, undefined, err);
        const waitMs = backoffDelay(retries, retry, time.random);
        retries += 1;
        count('retries');
        this.#emit({ type: 'retry', url, attempt: retries, reason, waitMs });
        await time.sleep(waitMs);
        continue;
      }

      const status = response.status;
      if (status === 401) {
        if (!tokenRefreshed) {
          tokenRefreshed = true;
          await discard(response);
          tokenSource.invalidate();
          count('retries');
          this.#emit({ type: 'token-refresh' });
          this.#emit({ type: 'retry', url, attempt: retries + 1, reason: '401', waitMs: 0 });
          continue;
        }
        throw await authRejected(method, url, response);
      }

      if (status !== 429 && status !== 503 && status !== 504) return;

      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), time.now());
      if (retries >= retry.maxRetries) {
        throw await exhaustedByResponse(method, url, retries, response);
      }
      await discard(response);
      const waitMs =
        retryAfterMs !== undefined ? Math.min(retryAfterMs, retry.maxRetryAfterMs) : backoffDelay(retries, retry, time.random);
      retries += 1;
      count('retries');
      const throttled = status === 429 || (status === 503 && retryAfterMs !== undefined);
      if (throttled) {
        count('throttled');
        gate.pauseUntil(time.now() + waitMs);
        this.#emit({ type: 'throttled', url, waitMs, status });
        this.#emit({ type: 'retry', url, attempt: retries, reason: String(status), waitMs });
        // The wait happens at gate.wait() at the top of the loop, together with every other request.
      } else {
        this.#emit({ type: 'retry', url, attempt: retries, reason: String(status), waitMs });
        await time.sleep(waitMs);
      }
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

/**
 * Frees the connection of a response we will not use by reading its (small, error) body.
 * Not body.cancel(): awaiting it never settles on some mocked streams.
 */
async function discard(response: Response): Promise<void> {
  try {
    await response.arrayBuffer();
  } catch {
    // already consumed or the connection broke: nothing to free
  }
}

function exhausted(
  method: string,
  url: string,
  retries: number,
  last: string,
  details: { status?: number; requestId?: string; graphCode?: string } = {},
  cause?: unknown,
): GraphError {
  const rid = details.requestId ? `, request-id ${details.requestId}` : ', no request-id';
  return new GraphError(
    'GRAPH_RETRIES_EXHAUSTED',
    `${method} ${url} still failed after ${retries + 1} attempts: last ${last}${rid}.`,
    {
      ...details,
      request: `${method} ${url}`,
      cause,
      suggestion:
        'Graph kept throttling or failing this request. Run again later (a delta pull resumes where it stopped), or lower the concurrency.',
    },
  );
}

async function exhaustedByResponse(method: string, url: string, retries: number, response: Response): Promise<GraphError> {
  const body = await readBody(response).catch(() => undefined);
  const graphCode = graphCodeOf(body);
  const requestId = response.headers.get('request-id') ?? undefined;
  const last = `status ${response.status}${graphCode ? ` (${graphCode})` : ''}`;
  return exhausted(method, url, retries, last, { status: response.status, requestId, graphCode });
}

async function authRejected(method: string, url: string, response: Response): Promise<AuthError> {
  const body = await readBody(response).catch(() => undefined);
  const graphCode = graphCodeOf(body);
  const requestId = response.headers.get('request-id') ?? undefined;
  return new AuthError(
    'AUTH_REJECTED',
    `Graph refused a freshly acquired token for ${method} ${url} (401${graphCode ? ` ${graphCode}` : ''}` +
      `${requestId ? `, request-id ${requestId}` : ''}). The token is for another tenant or cloud than GRAPH_ENDPOINT, ` +
      'or the application has not been consented in this tenant.',
    {
      status: 401,
      request: `${method} ${url}`,
      requestId,
      suggestion:
        'Check that TENANT_ID, the login authority and GRAPH_ENDPOINT belong to the same tenant and cloud, and that an administrator granted consent to the application.',
    },
  );
}
