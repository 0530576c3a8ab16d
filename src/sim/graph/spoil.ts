import type { SimResponse } from '../sim-http.js';
import type { FaultSpec, SpoilKind } from './faults.js';

/**
 * Turns the real 200 answer into what a proxy, captive portal or broken connection delivers
 * (graph-facts 1.4 "Not every 200 is a page"; https://learn.microsoft.com/graph/delta-query-overview:
 * a round ends only at a page carrying @odata.deltaLink).
 */
export function spoilResponse(real: SimResponse, f: FaultSpec): SimResponse {
  const out = f.spoil ? spoiled(real, f.spoil) : { ...real, headers: { ...real.headers } };
  if (f.resetAfterHeaders) {
    const bytes = Buffer.byteLength(out.body ?? '');
    out.headers = { ...out.headers, 'content-length': String(bytes) };
    out.resetAfterBytes = Math.floor(bytes / 2);
  }
  return out;
}

const JSON_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

const PORTAL_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to continue</title></head>
<body><h1>Network access requires sign-in</h1>
<form method="post" action="https://portal.proxy.example/login"><input name="user"><input name="password" type="password"><button>Sign in</button></form>
</body></html>
`;

function spoiled(real: SimResponse, kind: SpoilKind): SimResponse {
  const body = real.body ?? '';
  const contentType = Object.entries(real.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? JSON_TYPE;
  const answer = (b: string, type = contentType): SimResponse => ({
    status: 200,
    headers: { 'content-type': type, 'content-length': String(Buffer.byteLength(b)) },
    body: b,
  });
  switch (kind) {
    case 'truncated': {
      // Cut by bytes, then decode: a cut through a multi-byte character stays a broken character.
      const buf = Buffer.from(body);
      return answer(buf.subarray(0, Math.floor(buf.length / 2)).toString('utf8'));
    }
    case 'html':
      return answer(PORTAL_PAGE, 'text/html; charset=utf-8');
    case 'empty':
      return answer('');
    case 'emptyObject':
      return answer('{}');
    case 'noValue': {
      const page = JSON.parse(body) as Record<string, unknown>;
      return answer(JSON.stringify({ '@odata.context': page['@odata.context'] }));
    }
    case 'noLinks': {
      const page = JSON.parse(body) as Record<string, unknown>;
      delete page['@odata.nextLink'];
      delete page['@odata.deltaLink'];
      return answer(JSON.stringify(page));
    }
    case 'wrongContentType':
      return answer(body, 'text/plain; charset=utf-8');
  }
}
