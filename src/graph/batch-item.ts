import { GraphError, type EntraExtractError } from '../errors/index.js';
import { backoffDelay } from './backoff.js';
import { batchUrlOf } from './batch-link.js';
import type { BatchSubResponse } from './batch-envelope.js';
import { pageProblem } from './page-check.js';
import { graphCodeOf, requestFailedError } from './response-error.js';
import { parseRetryAfter } from './retry-after.js';
import { authRejected, exhausted, exhaustedByResponse, invalidResponse, throttledTooLong } from './retry-errors.js';
import type { Page, ResolvedRetryOptions } from './types.js';

/** One sub-request on its way through the batches: where it is and what it has spent. */
export interface BatchItem {
  key: string;
  /** The next URL to ask for, relative to the version root. */
  url: string;
  headers?: Record<string, string>;
  /** Retries spent on the current page after failures (each page has the transport's budgets, like a plain GET). */
  retries: number;
  /** And after 429s, counted apart (RetryOptions.maxThrottledRetries). */
  throttledRetries: number;
  /** The one token refresh a page may trigger with a 401 was used. */
  tokenRefreshed: boolean;
  /** Not to be sent before this time (epoch ms): its own Retry-After or backoff. */
  notBefore: number;
}

/** Retries an item has made on its current page, after failures and after 429s. */
export function attemptsOf(item: BatchItem): number {
  return item.retries + item.throttledRetries;
}

/** What to do with an item after its sub-response. */
export type ItemVerdict =
  | { kind: 'page'; page: Page; next?: string }
  | { kind: 'retry'; waitMs: number; reason: string; status?: number; opensWindow: boolean; throttled?: boolean }
  | { kind: 'refresh-token' }
  | { kind: 'not-found'; requestId?: string; graphCode?: string }
  | { kind: 'error'; error: EntraExtractError };

export interface JudgeContext {
  graphEndpoint: string;
  retry: ResolvedRetryOptions;
  now: number;
  random: () => number;
}

/** Same set as RetryMiddleware: 429 throttled, 500/502/503 server trouble, 504 gateway timeout. */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/**
 * Judges one item's sub-response like RetryMiddleware judges a plain response: every item of a batch
 * is checked (and throttled) on its own (https://learn.microsoft.com/graph/throttling#throttling-and-batching),
 * so each has its own status, Retry-After and retry budget. `response` undefined: the envelope had no
 * entry for the item's id, which is retried like a network error.
 */
export function judgeItem(item: BatchItem, response: BatchSubResponse | undefined, ctx: JudgeContext): ItemVerdict {
  const url = `${ctx.graphEndpoint}/v1.0${item.url}`;
  const attempts = attemptsOf(item);
  const backoff = () => backoffDelay(attempts, ctx.retry, ctx.random);
  if (!response || response.status < 200 || response.status > 599) {
    const reason = response ? `a sub-response with status ${response.status}` : 'no sub-response for this request in the $batch answer';
    if (item.retries >= ctx.retry.maxRetries) return { kind: 'error', error: exhausted('GET', url, attempts, reason) };
    return { kind: 'retry', waitMs: backoff(), reason, opensWindow: false };
  }
  const headers = headersOf(response.headers);
  const status = response.status;
  // A Response only to reuse the transport's error builders, which read status and request-id from one.
  const asResponse = new Response(null, { status, headers });
  const requestId = headers.get('request-id') ?? undefined;

  if (status === 401) {
    if (!item.tokenRefreshed) return { kind: 'refresh-token' };
    return { kind: 'error', error: authRejected('GET', url, asResponse, response.body) };
  }

  if (RETRYABLE_STATUSES.has(status)) {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), ctx.now);
    const opensWindow = status === 429 || (retryAfterMs !== undefined && status !== 504);
    if (retryAfterMs !== undefined && retryAfterMs > ctx.retry.maxWaitMs) {
      return { kind: 'error', error: throttledTooLong('GET', url, retryAfterMs, ctx.retry.maxWaitMs, { status, requestId }) };
    }
    const throttled = status === 429;
    if (throttled ? item.throttledRetries >= ctx.retry.maxThrottledRetries : item.retries >= ctx.retry.maxRetries) {
      return { kind: 'error', error: exhaustedByResponse('GET', url, attempts, asResponse, response.body) };
    }
    return { kind: 'retry', waitMs: retryAfterMs ?? backoff(), reason: String(status), status, opensWindow, throttled };
  }

  if (status === 404) return { kind: 'not-found', requestId, graphCode: graphCodeOf(response.body) };

  if (status >= 200 && status < 300) {
    const problem = pageProblem(response.body, 'list');
    if (problem !== undefined) {
      if (item.retries >= ctx.retry.maxRetries) return { kind: 'error', error: invalidResponse('GET', url, attempts, asResponse, problem) };
      return { kind: 'retry', waitMs: backoff(), reason: `invalid response: ${problem}`, opensWindow: false };
    }
    const body = response.body as { value: object[]; '@odata.nextLink'?: string };
    const page: Page = { value: body.value };
    if (requestId) page.requestId = requestId;
    const nextLink = body['@odata.nextLink'];
    if (nextLink === undefined) return { kind: 'page', page };
    page.nextLink = nextLink;
    const next = batchUrlOf(nextLink, ctx.graphEndpoint);
    if (next === undefined) {
      return {
        kind: 'error',
        error: new GraphError('GRAPH_INVALID_RESPONSE', `GET ${url} answered a nextLink outside ${ctx.graphEndpoint}/v1.0: ${nextLink}`, {
          status,
          request: `GET ${url}`,
          requestId,
          suggestion: 'Check GRAPH_ENDPOINT: it must be the Graph root that writes these links.',
        }),
      };
    }
    return { kind: 'page', page, next };
  }

  return { kind: 'error', error: requestFailedError('GET', url, asResponse, response.body) };
}

/** A sub-response's headers, read case-insensitively (`Retry-After`, `retry-after`, …). */
function headersOf(raw: Record<string, unknown> | undefined): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    try {
      headers.set(name, String(value));
    } catch {
      // A header name fetch refuses carries nothing we read.
    }
  }
  return headers;
}
