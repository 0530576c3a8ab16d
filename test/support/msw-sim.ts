import { http, HttpResponse, passthrough } from 'msw';
import type { SimHandler, SimResponse } from '../../src/sim/sim-http.js';

/**
 * Serves a simulation handler through msw for every URL under the given origins.
 * A request the simulation does not answer falls through, so `onUnhandledRequest: 'error'` catches it.
 */
export function simHandlers(handle: SimHandler, origins: string[]) {
  return origins.map((origin) =>
    http.all(`${origin}/*`, async ({ request }) => {
      const res = await handle({
        method: request.method,
        url: new URL(request.url),
        headers: request.headers,
        body: request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text(),
      });
      if (res === undefined) return undefined;
      if (res.reset) return HttpResponse.error();
      if (res.resetAfterBytes !== undefined) return cutResponse(res, res.resetAfterBytes);
      return new HttpResponse(res.body ?? null, { status: res.status, headers: res.headers });
    }),
  );
}

/**
 * The status and headers (content-length of the whole body), then a body stream that yields the
 * first `bytes` bytes and fails the way undici does when the peer closes mid-body
 * (TypeError 'terminated' caused by ECONNRESET).
 */
function cutResponse(res: SimResponse, bytes: number): Response {
  const whole = new TextEncoder().encode(res.body ?? '');
  const part = whole.subarray(0, bytes);
  let sent = false;
  // No queue (highWaterMark 0): pull runs only for a pending read, so the error comes after the
  // reader has taken the part, also through the tee of msw's response clone.
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent && part.length > 0) {
        sent = true;
        controller.enqueue(part);
        return;
      }
      const cause = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      controller.error(new TypeError('terminated', { cause }));
    },
  }, { highWaterMark: 0 });
  const headers = new Headers(res.headers);
  headers.set('content-length', String(whole.length));
  return new Response(body, { status: res.status, headers });
}

export { passthrough };
