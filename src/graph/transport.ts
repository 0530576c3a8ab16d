import { ResponseType } from '@microsoft/microsoft-graph-client';
import pLimit from 'p-limit';
import type { TokenSource } from '../auth/token-source.js';
import { EntraExtractError, GraphError } from '../errors/index.js';
import { createGraphClient } from './create-graph-client.js';
import { RequestState } from './request-state.js';
import { readBody, requestFailedError } from './response-error.js';
import { RetryMiddleware } from './retry-middleware.js';
import { ThrottleGate } from './throttle-gate.js';
import {
  DEFAULT_RETRY_OPTIONS,
  emptyStats,
  type GetOptions,
  type GraphResponse,
  type GraphTransport,
  type RetryOptions,
  type TransportEvent,
  type TransportStats,
} from './types.js';

export interface GraphTransportOptions {
  /** Graph root without version, e.g. https://graph.microsoft.com. */
  graphEndpoint: string;
  tokenSource: TokenSource;
  /** Requests in flight at once, over all callers of this transport. Default 4. */
  concurrency?: number;
  /** Retry limits and delays; see RetryOptions for defaults. */
  retry?: RetryOptions;
  onEvent?: (event: TransportEvent) => void;
  /** Clock (epoch ms). Default Date.now. */
  now?: () => number;
  /** Timer. Default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). Default Math.random. */
  random?: () => number;
}

export const DEFAULT_CONCURRENCY = 4;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The Graph transport: one client, one concurrency limiter, one throttle gate, one retry owner.
 * Callers never loop on 429; they get a response or an error from src/errors.
 */
export function createGraphTransport(options: GraphTransportOptions): GraphTransport {
  const time = {
    now: options.now ?? Date.now,
    sleep: options.sleep ?? defaultSleep,
    random: options.random ?? Math.random,
  };
  const retry = { ...DEFAULT_RETRY_OPTIONS, ...definedOnly(options.retry ?? {}) };
  const stats: TransportStats = emptyStats();
  const gate = new ThrottleGate(time.now, time.sleep);
  const retryMiddleware = new RetryMiddleware({
    tokenSource: options.tokenSource,
    gate,
    retry,
    time,
    totals: stats,
    onEvent: options.onEvent,
  });
  const client = createGraphClient({ graphEndpoint: options.graphEndpoint, tokenSource: options.tokenSource, retryMiddleware });
  const limit = pLimit(options.concurrency ?? DEFAULT_CONCURRENCY);

  async function send(url: string, getOptions: GetOptions): Promise<GraphResponse> {
    const absolute = /^https?:\/\//i.test(url);
    const state = new RequestState(absolute ? url : undefined, getOptions.stats);
    let request = client.api(url).responseType(ResponseType.RAW).middlewareOptions([state]);
    if (getOptions.headers) request = request.headers(getOptions.headers);
    let response: Response;
    try {
      response = await request.get();
    } catch (err) {
      if (state.error instanceof EntraExtractError) throw state.error;
      const cause = state.error ?? err;
      throw new GraphError('GRAPH_REQUEST_FAILED', `GET ${url} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
        request: `GET ${url}`,
        cause,
        suggestion: 'Check GRAPH_ENDPOINT and the network connection to it.',
      });
    }
    const body = await readBody(response);
    if (!response.ok) throw requestFailedError('GET', response.url || url, response, body);
    return { status: response.status, headers: response.headers, body };
  }

  return {
    stats,
    get: (url, getOptions = {}) => limit(() => send(url, getOptions)),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
