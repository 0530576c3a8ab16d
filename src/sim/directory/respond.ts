import type { SimResponse } from '../sim-http.js';

/** Graph's content type for JSON payloads (as graph-sim serves users and groups). */
export const GRAPH_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function okJson(body: string): SimResponse {
  return { status: 200, headers: { 'content-type': GRAPH_JSON }, body };
}
