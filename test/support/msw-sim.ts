import { http, HttpResponse, passthrough } from 'msw';
import type { SimHandler } from '../../src/sim/sim-http.js';

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
      return new HttpResponse(res.body ?? null, { status: res.status, headers: res.headers });
    }),
  );
}

export { passthrough };
