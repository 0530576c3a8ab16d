import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGraphTransport } from '../../src/graph/transport.js';
import { FakeTokenSource, GRAPH, hasToken, realDelay, unauthorized } from './support.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('shared throttle window and concurrency', () => {
  it('after one 429 with Retry-After, no request from any worker reaches Graph before the window ends', async () => {
    const tokens = new FakeTokenSource();
    const transport = createGraphTransport({ graphEndpoint: GRAPH, tokenSource: tokens, concurrency: 4 });
    const arrivals: Array<{ i: string; at: number }> = [];
    let throttledAt = 0;
    server.use(
      http.get(`${GRAPH}/v1.0/items`, async ({ request }) => {
        if (!hasToken(request, tokens)) return unauthorized();
        const i = new URL(request.url).searchParams.get('i')!;
        arrivals.push({ i, at: Date.now() });
        if (i === '0' && throttledAt === 0) {
          // Answer only once the first wave (4 workers) is in flight, so the test is deterministic.
          while (arrivals.length < 4) await realDelay(1);
          throttledAt = Date.now();
          return HttpResponse.json({ error: { code: 'TooManyRequests' } }, { status: 429, headers: { 'retry-after': '0.3' } });
        }
        await realDelay(20);
        return HttpResponse.json({ value: [] });
      }),
    );
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => transport.get(`/items?i=${i}`)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const after = arrivals.filter((a) => a.at >= throttledAt && !(a.i !== '0' && arrivals.indexOf(a) < 4));
    // the 6 queued requests plus the retry of request 0
    expect(after).toHaveLength(7);
    for (const a of after) expect(a.at).toBeGreaterThanOrEqual(throttledAt + 300 - 2);
    expect(transport.stats.throttled).toBe(1);
    expect(transport.stats.throttleWaitMs).toBeGreaterThan(0);
  });

  it('never has more requests in flight than the concurrency limit', async () => {
    const tokens = new FakeTokenSource();
    const transport = createGraphTransport({ graphEndpoint: GRAPH, tokenSource: tokens, concurrency: 3 });
    let inFlight = 0;
    let maxInFlight = 0;
    server.use(
      http.get(`${GRAPH}/v1.0/items`, async ({ request }) => {
        if (!hasToken(request, tokens)) return unauthorized();
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await realDelay(10);
        inFlight -= 1;
        return HttpResponse.json({ value: [] });
      }),
    );
    await Promise.all(Array.from({ length: 12 }, (_, i) => transport.get(`/items?i=${i}`)));
    expect(maxInFlight).toBe(3);
    expect(transport.stats.requests).toBe(12);
  });
});
