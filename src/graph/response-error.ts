import { GraphError } from '../errors/index.js';

/**
 * An error body as JSON when it is JSON, as text otherwise, undefined when empty. Error bodies may be
 * anything (a gateway's HTML 502); Graph's own are `{"error":{"code",…}}` (https://learn.microsoft.com/graph/errors).
 */
export function parseErrorBody(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Graph's `error.code` (https://learn.microsoft.com/graph/errors): branch on it, never on the message. */
export function graphCodeOf(body: unknown): string | undefined {
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === 'string' ? code : undefined;
}

function graphMessageOf(body: unknown): string | undefined {
  const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof message === 'string' ? message : undefined;
}

/** What an administrator can do about a failed Graph request, by status and Graph code. */
export function suggestionFor(status: number, graphCode: string | undefined): string {
  if (status === 403) {
    if (graphCode === 'Authorization_RequestDenied') {
      return 'Grant the application permission this collection needs and admin-consent it.';
    }
    return 'Graph refused access: grant the application permission this collection needs and admin-consent it; Conditional Access or a missing license can also cause this.';
  }
  if (status === 404) return 'The resource is missing (deleted, or not available in this tenant or cloud); check GRAPH_ENDPOINT.';
  if (status === 410 || graphCode === 'syncStateNotFound' || graphCode === 'resyncRequired') {
    return 'The delta token is no longer valid: run a full resync of this collection.';
  }
  if (status === 400) return 'Graph rejected the request as malformed; see the Graph error code.';
  if (status >= 500) return 'Graph had a server error; try again later.';
  return 'See the Graph error code and request-id; quote the request-id in a support case.';
}

/** The GraphError for a final non-2xx response that is not retried. */
export function requestFailedError(method: string, url: string, response: Response, body: unknown): GraphError {
  const graphCode = graphCodeOf(body);
  const requestId = response.headers.get('request-id') ?? undefined;
  const graphMessage = graphMessageOf(body);
  const parts = [`${method} ${url} failed with ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`];
  if (graphCode) parts.push(`Graph code ${graphCode}${graphMessage ? `: ${graphMessage}` : ''}`);
  if (requestId) parts.push(`request-id ${requestId}`);
  return new GraphError('GRAPH_REQUEST_FAILED', parts.join('; '), {
    status: response.status,
    graphCode,
    request: `${method} ${url}`,
    requestId,
    suggestion: suggestionFor(response.status, graphCode),
  });
}
