/** One entry of a `$batch` answer (https://learn.microsoft.com/graph/json-batching). */
export interface BatchSubResponse {
  id: string;
  status: number;
  headers?: Record<string, unknown>;
  body?: unknown;
}

/** The body POSTed to `$batch`: GET sub-requests with ids unique in the envelope. */
export function batchRequestBody(entries: Array<{ id: string; url: string; headers?: Record<string, string> }>): {
  requests: Array<{ id: string; method: 'GET'; url: string; headers?: Record<string, string> }>;
} {
  return {
    requests: entries.map(({ id, url, headers }) =>
      headers && Object.keys(headers).length > 0 ? { id, method: 'GET', url, headers } : { id, method: 'GET', url },
    ),
  };
}

/**
 * Why a parsed 2xx `$batch` body is not a batch answer, or undefined when it is one: a JSON object
 * with a `responses` array whose entries carry a string `id` and a numeric `status`. Anything else
 * (a proxy's page, a body cut short) is retried by the transport like an invalid page.
 */
export function batchEnvelopeProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'a JSON value that is not a $batch response object';
  const responses = (body as { responses?: unknown }).responses;
  if (!Array.isArray(responses)) return 'a JSON object without a `responses` array';
  for (const entry of responses) {
    const e = entry as Partial<BatchSubResponse> | null;
    if (typeof e !== 'object' || e === null || typeof e.id !== 'string' || typeof e.status !== 'number') {
      return 'a `responses` entry without a string `id` and a numeric `status`';
    }
  }
  return undefined;
}
