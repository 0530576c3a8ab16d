import { AuthError, GraphError } from '../errors/index.js';
import { graphCodeOf } from './response-error.js';

/** Errors RetryMiddleware gives up with. Each names the request and Graph's request-id when there is one. */

const seconds = (ms: number) => `${Math.ceil(ms / 1000)} s`;
const requestIdOf = (response: Response) => response.headers.get('request-id') ?? undefined;

export function exhausted(
  method: string,
  url: string,
  retries: number,
  last: string,
  details: { status?: number; requestId?: string; graphCode?: string } = {},
  cause?: unknown,
): GraphError {
  const rid = details.requestId ? `, request-id ${details.requestId}` : ', no request-id';
  return new GraphError('GRAPH_RETRIES_EXHAUSTED', `${method} ${url} still failed after ${retries + 1} attempts: last ${last}${rid}.`, {
    ...details,
    request: `${method} ${url}`,
    cause,
    suggestion:
      'Graph kept throttling or failing this request. Run again later (a delta pull resumes where it stopped), or lower the concurrency.',
  });
}

/** The retry budget ran out on a retryable status (429, 5xx). */
export function exhaustedByResponse(method: string, url: string, retries: number, response: Response, body: unknown): GraphError {
  const graphCode = graphCodeOf(body);
  const last = `status ${response.status}${graphCode ? ` (${graphCode})` : ''}`;
  return exhausted(method, url, retries, last, { status: response.status, requestId: requestIdOf(response), graphCode });
}

/** The retry budget ran out on 2xx answers that were not the JSON asked for (see body-check.ts). */
export function invalidResponse(method: string, url: string, retries: number, response: Response, problem: string): GraphError {
  const requestId = requestIdOf(response);
  const rid = requestId ? `last request-id ${requestId}` : 'no request-id, so probably not from Graph';
  return new GraphError(
    'GRAPH_INVALID_RESPONSE',
    `${method} ${url} answered ${response.status} with ${problem} instead of Graph JSON, on all ${retries + 1} attempts (${rid}).`,
    {
      status: response.status,
      request: `${method} ${url}`,
      requestId,
      suggestion:
        'A proxy, gateway or captive portal between this machine and Graph may be answering or cutting the connection: check the proxy settings and the network path to GRAPH_ENDPOINT, then run again later (a delta pull resumes where it stopped).',
    },
  );
}

/**
 * Graph's Retry-After (or the shared window it opened) is longer than --max-wait. Waiting less would
 * send inside the server's window (https://learn.microsoft.com/graph/throttling), so the request fails.
 */
export function throttledTooLong(
  method: string,
  url: string,
  waitMs: number,
  maxWaitMs: number,
  details: { status?: number; requestId?: string; shared?: boolean } = {},
): GraphError {
  const asked = details.shared ? `Graph throttled this application: every request must wait another ${seconds(waitMs)}` : `Graph asked to wait ${seconds(waitMs)}`;
  const about = [details.status && `status ${details.status}`, details.requestId && `request-id ${details.requestId}`].filter(Boolean);
  const rid = about.length > 0 ? ` (${about.join(', ')})` : '';
  return new GraphError(
    'GRAPH_THROTTLED_TOO_LONG',
    `${asked} before ${method} ${url}${rid}; that is longer than --max-wait ${seconds(maxWaitMs)}.`,
    {
      status: details.status,
      request: `${method} ${url}`,
      requestId: details.requestId,
      suggestion: 'Run again later (a delta pull resumes where it stopped), or raise --max-wait to wait the throttling out.',
    },
  );
}

/** A second 401, with a freshly acquired token. */
export function authRejected(method: string, url: string, response: Response, body: unknown): AuthError {
  const graphCode = graphCodeOf(body);
  const requestId = requestIdOf(response);
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
