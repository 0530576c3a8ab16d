import { json, type SimRequest, type SimResponse } from '../sim-http.js';
import { graphError, graphErrorBody, type ResponseContext } from './graph-error.js';

/** Graph's limit of requests in one batch (https://learn.microsoft.com/graph/json-batching). */
export const MAX_SIM_BATCH = 20;

interface BatchItemIn {
  id?: unknown;
  method?: unknown;
  url?: unknown;
  headers?: unknown;
}

/**
 * `POST /v1.0/$batch` as json-batching.md documents it (graph-facts 4): at most 20 requests, ids
 * unique (case-insensitive) or the whole batch is 400, relative URLs; every item is served on its
 * own (`dispatch`: authentication, its own throttling check, faults), and the envelope is 200 with
 * one response per item, correlated by id, in an order that differs from the request's.
 */
export function serveBatch(
  req: SimRequest,
  ctx: ResponseContext,
  dispatch: (sub: SimRequest, ctx: ResponseContext) => SimResponse,
): SimResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body);
  } catch {
    return graphError(400, 'BadRequest', 'Invalid batch payload format.', ctx);
  }
  const items = (parsed as { requests?: unknown })?.requests;
  if (!Array.isArray(items) || items.length === 0) return graphError(400, 'BadRequest', 'Invalid batch payload format.', ctx);
  if (items.length > MAX_SIM_BATCH) {
    return graphError(400, 'BadRequest', `Number of requests exceeds the limit of ${MAX_SIM_BATCH}.`, ctx);
  }
  const seen = new Set<string>();
  for (const it of items as BatchItemIn[]) {
    if (typeof it?.id !== 'string' || typeof it.method !== 'string' || typeof it.url !== 'string') {
      return graphError(400, 'BadRequest', 'Invalid batch payload format.', ctx);
    }
    const key = it.id.toLowerCase();
    if (seen.has(key)) return graphError(400, 'BadRequest', 'Batch request contains duplicate request ids.', ctx);
    seen.add(key);
  }
  const responses = (items as Required<BatchItemIn>[]).map((it) => {
    const id = it.id as string;
    const subCtx: ResponseContext = { ...ctx, clientRequestId: ctx.clientRequestId };
    const url = it.url as string;
    if (/^https?:/i.test(url)) {
      return { id, status: 400, headers: { 'content-type': 'application/json' }, body: graphErrorBody('BadRequest', 'Invalid request URL: a batch request URL must be relative.', subCtx) };
    }
    if ((it.method as string).toUpperCase() !== 'GET') {
      return { id, status: 405, headers: { 'content-type': 'application/json' }, body: graphErrorBody('Request_BadRequest', 'The simulation batches GET requests only.', subCtx) };
    }
    const headers = new Headers();
    const auth = req.headers.get('authorization');
    if (auth) headers.set('authorization', auth);
    for (const [k, v] of Object.entries((it.headers as Record<string, string> | undefined) ?? {})) headers.set(k, String(v));
    const sub: SimRequest = { method: 'GET', url: new URL(`${req.url.origin}/v1.0${url.startsWith('/') ? url : `/${url}`}`), headers, body: '' };
    const res = dispatch(sub, subCtx);
    if (res.reset) {
      return { id, status: 500, headers: { 'content-type': 'application/json' }, body: graphErrorBody('generalException', 'An unspecified error has occurred.', subCtx) };
    }
    let body: unknown = res.body;
    try {
      body = res.body === undefined || res.body === '' ? undefined : JSON.parse(res.body);
    } catch {
      // A spoiled (non-JSON) answer stays text.
    }
    return { id, status: res.status, headers: res.headers ?? {}, ...(body === undefined ? {} : { body }) };
  });
  // "The order of responses may differ from the order of requests": answer last first.
  responses.reverse();
  return json(200, { responses }, { 'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8' });
}
