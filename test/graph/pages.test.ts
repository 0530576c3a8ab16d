import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GraphError } from '../../src/errors/index.js';
import { collectAll, pages } from '../../src/graph/pages.js';
import { createGraphTransport } from '../../src/graph/transport.js';
import type { GetOptions, GraphResponse, GraphTransport, Page } from '../../src/graph/types.js';
import { emptyStats } from '../../src/graph/types.js';
import { FakeTokenSource, GRAPH, LOGIN_PAGE, brokenBody, hasToken, realDelay, terminated, unauthorized } from './support.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// Odd but legal: repeated keys, encoded characters, $-options after custom ones, a lower-case $skiptoken.
const NEXT1 = `${GRAPH}/v1.0/users/delta?b=2&$skiptoken=Ab%2Bc%3D%3D&a=1&$select=id,displayName&a=3`;
const NEXT2 = `${GRAPH}/v1.0/users/delta?$skiptoken=page3&$select=id&$select=mail`;
const DELTA = `${GRAPH}/v1.0/users/delta?$deltatoken=final`;

function setup(maxRetries?: number) {
  const tokens = new FakeTokenSource();
  const transport = createGraphTransport({ graphEndpoint: GRAPH, tokenSource: tokens, retry: { baseDelayMs: 1, maxDelayMs: 2, maxRetries } });
  return { tokens, transport };
}

/** Serves a page per exact URL; records the exact URLs Graph received and when. */
function servePages(tokens: FakeTokenSource, byUrl: Record<string, () => Response | Promise<Response>>) {
  const received: Array<{ url: string; at: number }> = [];
  server.use(
    http.get(`${GRAPH}/v1.0/users/delta`, async ({ request }) => {
      if (!hasToken(request, tokens)) return unauthorized();
      received.push({ url: request.url, at: performance.now() });
      const make = byUrl[request.url];
      return make ? make() : HttpResponse.json({ error: { code: 'unexpectedUrl', message: request.url } }, { status: 400 });
    }),
  );
  return received;
}

const FIRST = `${GRAPH}/v1.0/users/delta?$select=id`;

describe('pages', () => {
  it('follows nextLink verbatim, yields empty pages and stops at the deltaLink', async () => {
    const { tokens, transport } = setup();
    const received = servePages(tokens, {
      [FIRST]: () => HttpResponse.json({ value: [{ id: 'a' }], '@odata.nextLink': NEXT1 }, { headers: { 'request-id': 'r1' } }),
      [NEXT1]: () => HttpResponse.json({ value: [], '@odata.nextLink': NEXT2 }),
      [NEXT2]: () => HttpResponse.json({ value: [{ id: 'b' }], '@odata.deltaLink': DELTA }),
    });
    const got: Page[] = [];
    for await (const page of pages(transport, '/users/delta?$select=id')) got.push(page);
    expect(received.map((r) => r.url)).toEqual([FIRST, NEXT1, NEXT2]);
    expect(got.map((p) => p.value.length)).toEqual([1, 0, 1]);
    expect(got[0]).toMatchObject({ nextLink: NEXT1, requestId: 'r1' });
    expect(got[2]).toMatchObject({ deltaLink: DELTA });
    expect(got[2]!.nextLink).toBeUndefined();
  });

  it('prefetches: the next page reaches Graph before the consumer finishes the current one', async () => {
    const { tokens, transport } = setup();
    const received = servePages(tokens, {
      [FIRST]: () => HttpResponse.json({ value: [{ id: 'a' }], '@odata.nextLink': NEXT1 }),
      [NEXT1]: () => HttpResponse.json({ value: [{ id: 'b' }], '@odata.nextLink': NEXT2 }),
      [NEXT2]: () => HttpResponse.json({ value: [{ id: 'c' }], '@odata.deltaLink': DELTA }),
    });
    const finished: number[] = [];
    for await (const page of pages(transport, FIRST)) {
      void page;
      // Synchronous work, like a better-sqlite3 transaction: nothing else runs meanwhile.
      const until = performance.now() + 15;
      while (performance.now() < until) {
        /* busy */
      }
      finished.push(performance.now());
    }
    expect(received).toHaveLength(3);
    expect(received[1]!.at).toBeLessThan(finished[0]! - 10);
    expect(received[2]!.at).toBeLessThan(finished[1]! - 10);
  });

  it('without prefetch, asks for the next page only after the consumer is done', async () => {
    const { tokens, transport } = setup();
    const received = servePages(tokens, {
      [FIRST]: () => HttpResponse.json({ value: [], '@odata.nextLink': NEXT1 }),
      [NEXT1]: () => HttpResponse.json({ value: [], '@odata.deltaLink': DELTA }),
    });
    const finished: number[] = [];
    for await (const _ of pages(transport, FIRST, { prefetch: false })) {
      await realDelay(10);
      finished.push(performance.now());
    }
    expect(received[1]!.at).toBeGreaterThan(finished[0]!);
  });

  it('a failed prefetch surfaces when its page is awaited, not before', async () => {
    const { tokens, transport } = setup();
    servePages(tokens, {
      [FIRST]: () => HttpResponse.json({ value: [{ id: 'a' }], '@odata.nextLink': NEXT1 }),
      [NEXT1]: () =>
        HttpResponse.json({ error: { code: 'Authorization_RequestDenied', message: 'no' } }, { status: 403, headers: { 'request-id': 'r403' } }),
    });
    const it = pages(transport, FIRST);
    const first = await it.next();
    expect(first.value).toMatchObject({ value: [{ id: 'a' }] });
    await realDelay(20); // the prefetch has failed by now; nothing may throw yet
    const err = await it.next().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect((err as GraphError).graphCode).toBe('Authorization_RequestDenied');
    expect((err as GraphError).requestId).toBe('r403');
  });

  it('leaves no unhandled rejection when the consumer stops early', async () => {
    const { tokens, transport } = setup();
    const received = servePages(tokens, {
      [FIRST]: () => HttpResponse.json({ value: [{ id: 'a' }], '@odata.nextLink': NEXT1 }),
      [NEXT1]: () => HttpResponse.json({ error: { code: 'accessDenied', message: 'no' } }, { status: 403 }),
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      for await (const _ of pages(transport, FIRST)) break;
      await expect(
        (async () => {
          for await (const _ of pages(transport, FIRST)) throw new Error('consumer failed');
        })(),
      ).rejects.toThrow('consumer failed');
      await realDelay(50);
      await new Promise(setImmediate);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(received.filter((r) => r.url === NEXT1)).toHaveLength(2); // both prefetches were sent and failed
    expect(unhandled).toEqual([]);
  });

  it('collectAll gathers every item of a small list', async () => {
    const { tokens, transport } = setup();
    servePages(tokens, {
      [FIRST]: () => HttpResponse.json({ value: [{ id: 'a' }], '@odata.nextLink': NEXT1 }),
      [NEXT1]: () => HttpResponse.json({ value: [{ id: 'b' }, { id: 'c' }] }),
    });
    expect(await collectAll(transport, FIRST)).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
  });

  it('yields an empty page with a nextLink in a delta round, and goes on to the deltaLink', async () => {
    const { tokens, transport } = setup();
    servePages(tokens, {
      [FIRST]: () => HttpResponse.json({ value: [], '@odata.nextLink': NEXT1 }),
      [NEXT1]: () => HttpResponse.json({ value: [{ id: 'b' }], '@odata.deltaLink': DELTA }),
    });
    const got: Page[] = [];
    for await (const page of pages(transport, FIRST, { kind: 'delta' })) got.push(page);
    expect(got.map((p) => p.value.length)).toEqual([0, 1]);
    expect(got[1]!.deltaLink).toBe(DELTA);
  });
});

/** Point 1: a body that is not a page is retried inside the transport and never read as an empty last page. */
describe('pages: a page is a page', () => {
  const bad: Array<{ name: string; make: () => Response; words: RegExp }> = [
    { name: 'an HTML page from a proxy', make: () => new HttpResponse(LOGIN_PAGE, { headers: { 'content-type': 'text/html' } }), words: /an HTML page/ },
    { name: 'an empty body', make: () => new HttpResponse('', { headers: { 'content-type': 'application/json' } }), words: /an empty body/ },
    { name: 'a truncated body', make: () => new HttpResponse('{"value":[{"id":"b"},{"i', { headers: { 'content-type': 'application/json' } }), words: /JSON cut short/ },
    { name: '{}', make: () => HttpResponse.json({}), words: /without a `value` array/ },
    { name: 'a value that is not an array', make: () => HttpResponse.json({ value: {} }), words: /without a `value` array/ },
    { name: 'a JSON array', make: () => HttpResponse.json([]), words: /an array, not a page object/ },
    { name: 'a delta page with neither link', make: () => HttpResponse.json({ value: [] }), words: /a delta page with neither @odata\.nextLink nor @odata\.deltaLink/ },
  ];

  for (const { name, make, words } of bad) {
    it(`${name} in the middle of a delta round is retried; the round still ends at the deltaLink`, async () => {
      const { tokens, transport } = setup();
      let served = 0;
      const received = servePages(tokens, {
        [FIRST]: () => HttpResponse.json({ value: [{ id: 'a' }], '@odata.nextLink': NEXT1 }),
        [NEXT1]: () => (++served === 1 ? make() : HttpResponse.json({ value: [{ id: 'b' }], '@odata.deltaLink': DELTA })),
      });
      const stats = emptyStats();
      const got: Page[] = [];
      for await (const page of pages(transport, FIRST, { kind: 'delta', stats })) got.push(page);
      expect(got.map((p) => p.value)).toEqual([[{ id: 'a' }], [{ id: 'b' }]]);
      expect(got[1]!.deltaLink).toBe(DELTA);
      expect(received.map((r) => r.url)).toEqual([FIRST, NEXT1, NEXT1]);
      expect(stats.retries).toBe(1);
    });

    it(`${name} every time fails with GRAPH_INVALID_RESPONSE and yields nothing from it`, async () => {
      const { tokens, transport } = setup(2);
      servePages(tokens, {
        [FIRST]: () => HttpResponse.json({ value: [{ id: 'a' }], '@odata.nextLink': NEXT1 }),
        [NEXT1]: make,
      });
      const got: Page[] = [];
      const err = (await (async () => {
        for await (const page of pages(transport, FIRST, { kind: 'delta' })) got.push(page);
      })().catch((e: unknown) => e)) as GraphError;
      expect(err).toBeInstanceOf(GraphError);
      expect(err.code).toBe('GRAPH_INVALID_RESPONSE');
      expect(err.message).toContain(`GET ${NEXT1}`);
      expect(err.message).toMatch(words);
      expect(got).toHaveLength(1);
    });
  }

  it('a list page without a nextLink is the last page; without a `value` array it is no page at all', async () => {
    const { tokens, transport } = setup(1);
    servePages(tokens, { [FIRST]: () => HttpResponse.json({ value: [{ id: 'a' }] }) });
    expect(await collectAll(transport, FIRST, { kind: 'list' })).toEqual([{ id: 'a' }]);
    servePages(tokens, { [FIRST]: () => HttpResponse.json({ '@odata.context': 'x' }) });
    const err = (await collectAll(transport, FIRST).catch((e: unknown) => e)) as GraphError;
    expect(err.code).toBe('GRAPH_INVALID_RESPONSE');
  });

  it('a page cut by a connection reset is fetched again', async () => {
    const { tokens, transport } = setup();
    let served = 0;
    servePages(tokens, {
      [FIRST]: () =>
        ++served === 1 ? brokenBody('{"value":[{"id":"a"},', terminated()) : HttpResponse.json({ value: [{ id: 'a' }, { id: 'b' }], '@odata.deltaLink': DELTA }),
    });
    const got: Page[] = [];
    for await (const page of pages(transport, FIRST, { kind: 'delta' })) got.push(page);
    expect(got.map((p) => p.value.length)).toEqual([2]);
  });

  it('asks the transport to check every page, and still refuses a body a transport let through', async () => {
    const asked: Array<GetOptions | undefined> = [];
    const lax: GraphTransport = {
      stats: emptyStats(),
      get: async (_url: string, options?: GetOptions): Promise<GraphResponse> => {
        asked.push(options);
        return { status: 200, headers: new Headers({ 'request-id': 'rid-lax' }), body: {} };
      },
    };
    const err = (await collectAll(lax, FIRST).catch((e: unknown) => e)) as GraphError;
    expect(err.code).toBe('GRAPH_INVALID_RESPONSE');
    expect(err.requestId).toBe('rid-lax');
    expect(asked[0]!.accept!({ value: [] })).toBeUndefined();
    expect(asked[0]!.accept!({})).toMatch(/value/);
  });
});
