import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { ResponseType } from '@microsoft/microsoft-graph-client';
import pLimit from 'p-limit';
import type { TokenSource } from '../auth/token-source.js';
import { EntraExtractError, GraphError } from '../errors/index.js';
import { interruptedBy } from './abort.js';
import { createGraphClient } from './create-graph-client.js';
import { RequestState } from './request-state.js';
import { requestFailedError } from './response-error.js';
import { Pacing } from './pacing.js';
import { RetryMiddleware } from './retry-middleware.js';
import { ThrottleGate } from './throttle-gate.js';
import { throttleScopeOf, type ThrottleScope } from './throttle-scope.js';
import {
  DEFAULT_RETRY_OPTIONS,
  emptyStats,
  type BatchTransport,
  type GetOptions,
  type GraphResponse,
  type RetryOptions,
  type TransportEvent,
  type TransportShared,
  type TransportStats,
} from './types.js';

export interface GraphTransportOptions {
  /** Graph root without version, e.g. https://graph.microsoft.com. */
  graphEndpoint: string;
  tokenSource: TokenSource;
  /**
   * The most requests in flight at once, over all callers of this transport; with pacing, the limit
   * adapts below it. Default DEFAULT_CONCURRENCY.
   */
  concurrency?: number;
  /**
   * Paces requests by the budget of their throttle scope, learned from Graph's answers (pacing.ts):
   * default on, with Graph's documented budgets; `false` sends as fast as the concurrency allows.
   */
  pacing?: false | { identityBudgets?: readonly number[]; reportsBudgets?: readonly number[]; windowMs?: number };
  /** Retry limits and delays; see RetryOptions for defaults. */
  retry?: RetryOptions;
  onEvent?: (event: TransportEvent) => void;
  /**
   * The run's stop signal. When it aborts, every wait ends and every request in flight is aborted;
   * get() and post() reject with InterruptedError, now and for every later call, without touching the network.
   */
  signal?: AbortSignal;
  /** Clock (epoch ms). Default Date.now. */
  now?: () => number;
  /** Timer; may ignore the signal (every sleep is raced against it). Default setTimeout, cancelled on stop. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1). Default Math.random. */
  random?: () => number;
}

/**
 * Room for the fan-outs of a full pull (each adapting its `$batch` envelopes in flight, from
 * INITIAL_ENVELOPES_IN_FLIGHT) beside every collection's page chain; the pacer, not this cap, keeps
 * the rate inside the budget.
 */
export const DEFAULT_CONCURRENCY = 32;

/** A real timer that is cleared when the run stops, so an hour-long Retry-After never holds the process. */
const defaultSleep = (ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal });

/**
 * The Graph transport: one client, one concurrency limiter (a slot per attempt), a throttle gate per
 * Graph scope, one retry owner.
 * Callers never loop on 429; they get a response whose body is already read and checked, or an
 * error from src/errors.
 */
export function createGraphTransport(options: GraphTransportOptions): BatchTransport {
  const time = {
    now: options.now ?? Date.now,
    sleep: options.sleep ?? defaultSleep,
    random: options.random ?? Math.random,
  };
  const signal = options.signal;
  // Every request waiting for its budget, a slot or a window listens for the stop: many at once by design.
  if (signal) setMaxListeners(0, signal);
  const retry = { ...DEFAULT_RETRY_OPTIONS, ...definedOnly(options.retry ?? {}) };
  const stats: TransportStats = emptyStats();
  // One throttle window per Graph scope (throttle-scope.ts), one limiter over all of them.
  const gates: Record<ThrottleScope, ThrottleGate> = {
    identity: new ThrottleGate(time.now, time.sleep),
    reports: new ThrottleGate(time.now, time.sleep),
  };
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const pacing = options.pacing === false ? undefined : new Pacing({ concurrency, now: time.now, sleep: time.sleep, ...options.pacing });
  const fixed = pacing ? undefined : pLimit(concurrency);
  const retryMiddleware = new RetryMiddleware({
    tokenSource: options.tokenSource,
    gateFor: (url) => gates[throttleScopeOf(url)],
    limit: (attempt, bulk) => (pacing ? pacing.limit.run(attempt, bulk) : fixed!(attempt)),
    pacing,
    retry,
    time,
    totals: stats,
    onEvent: options.onEvent,
    signal,
  });
  const client = createGraphClient({ graphEndpoint: options.graphEndpoint, tokenSource: options.tokenSource, retryMiddleware });

  async function send(method: 'GET' | 'POST', url: string, getOptions: GetOptions, body?: unknown): Promise<GraphResponse> {
    // Queued calls start after a stop too: they must fail without a request.
    if (signal?.aborted) throw interruptedBy(signal);
    const absolute = /^https?:\/\//i.test(url);
    const state = new RequestState(absolute ? url : undefined, getOptions.stats, getOptions.accept, getOptions.cost, getOptions.bulk === true);
    let request = client.api(url).responseType(ResponseType.RAW).middlewareOptions([state]);
    if (getOptions.headers) request = request.headers(getOptions.headers);
    let response: Response;
    try {
      // post() serializes a plain object as JSON and sets Content-Type: application/json.
      response = method === 'POST' ? await request.post(body) : await request.get();
    } catch (err) {
      if (state.error instanceof EntraExtractError) throw state.error;
      const cause = state.error ?? err;
      throw new GraphError('GRAPH_REQUEST_FAILED', `${method} ${url} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
        request: `${method} ${url}`,
        cause,
        suggestion: 'Check GRAPH_ENDPOINT and the network connection to it.',
      });
    }
    // RetryMiddleware read and checked the body inside its retry loop.
    if (!response.ok) throw requestFailedError(method, response.url || url, response, state.body);
    return { status: response.status, headers: response.headers, body: state.body };
  }

  const shared: TransportShared = {
    graphEndpoint: options.graphEndpoint.replace(/\/+$/, ''),
    concurrency,
    retry,
    time,
    signal,
    // Batched sub-requests are identity-scope reads (the reports scope is never batched here).
    pauseUntil: (until) => gates.identity.pauseUntil(until),
    pacing,
    invalidateToken: () => options.tokenSource.invalidate(),
    emit: (event) => {
      try {
        options.onEvent?.(event);
      } catch {
        // A progress display must never break a pull.
      }
    },
  };

  return {
    stats,
    shared,
    pacingSnapshot: () => pacing?.snapshot(),
    get: (url, getOptions = {}) => {
      if (signal?.aborted) return Promise.reject(interruptedBy(signal));
      return send('GET', url, getOptions);
    },
    post: (url, body, postOptions = {}) => {
      if (signal?.aborted) return Promise.reject(interruptedBy(signal));
      return send('POST', url, postOptions, body);
    },
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
