import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GraphError, UsageError } from '../../src/errors/index.js';
import { batchPages, type BatchRequest, type BatchResult } from '../../src/graph/index.js';
import { GRAPH, batchHandler, fakeTransport, type SeenSubRequest, type SubAnswer } from './support.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const spUrl = (i: number) => `/servicePrincipals/sp${i}/appRoleAssignedTo?$select=id,principalId&$top=999`;
const items = (n: number): BatchRequest[] => Array.from({ length: n }, (_, i) => ({ key: `sp${i}`, url: spUrl(i) }));
const keyOf = (sub: SeenSubRequest) => /servicePrincipals\/(sp\d+)|groups\/(g\d+)/.exec(sub.url)!.slice(1).find(Boolean)!;
const page = (value: object[], next?: string): SubAnswer => ({
  status: 200,
  headers: { 'Content-Type': 'application/json', 'request-id': 'rid-item' },
  body: next ? { value, '@odata.nextLink': next } : { value },
});

async function drain(gen: AsyncIterable<BatchResult>): Promise<BatchResult[]> {
  const out: BatchResult[] = [];
  for await (const r of gen) out.push(r);
  return out;
}

describe('batchPages', () => {
  it('sends 45 items in 3 envelopes of at most 20, correlating answers given out of order', async () => {
    const { time, transport } = fakeTransport();
    const { handler, record } = batchHandler(time.now, (sub) => page([{ id: `a-${keyOf(sub)}` }]));
    server.use(handler);
    const input = items(45);
    input[3]!.headers = { Prefer: 'x' };
    const stats = { requests: 0, throttled: 0, retries: 0, throttleWaitMs: 0 };
    const results = await drain(batchPages(transport, input, { headers: { ConsistencyLevel: 'eventual' }, stats, concurrency: 1 }));

    expect(record.envelopes).toBe(3);
    const sizes = (record.bodies as Array<{ requests: unknown[] }>).map((b) => b.requests.length);
    expect(sizes).toEqual([20, 20, 5]);
    for (const body of record.bodies as Array<{ requests: Array<{ id: string; method: string }> }>) {
      expect(new Set(body.requests.map((r) => r.id)).size).toBe(body.requests.length);
      for (const r of body.requests) expect(r.method).toBe('GET');
    }
    expect(record.seen[0]).toMatchObject({ url: spUrl(0), headers: { ConsistencyLevel: 'eventual' } });
    expect(record.seen[3]!.headers).toEqual({ ConsistencyLevel: 'eventual', Prefer: 'x' });
    // Each key got its own item's page (the answers came reversed), then done.
    for (let i = 0; i < 45; i += 1) {
      const mine = results.filter((r) => r.key === `sp${i}`);
      expect(mine).toEqual([{ key: `sp${i}`, page: { value: [{ id: `a-sp${i}` }], requestId: 'rid-item' } }, { key: `sp${i}`, done: true }]);
    }
    expect(stats).toEqual({ requests: 3, throttled: 0, retries: 0, throttleWaitMs: 0, batchItems: 45 });
    expect(transport.stats.batchItems).toBe(45);
  });

  it('follows every absolute nextLink in later envelopes, verbatim after the version root, pages in order per item', async () => {
    const { time, transport } = fakeTransport();
    const next = (g: string, n: number) => `${GRAPH}/v1.0/groups/${g}/members?$select=id&$top=2&$skiptoken=RFNwdAIAAQAAAC%2B${n}%3D`;
    const { handler, record } = batchHandler(time.now, (sub) => {
      const g = keyOf(sub);
      const n = Number(/%2B(\d)%3D/.exec(sub.url)?.[1] ?? '0');
      const pagesOf = g === 'g1' ? 3 : g === 'g2' ? 2 : 1;
      return page([{ id: `${g}-p${n}` }], n + 1 < pagesOf ? next(g, n + 1) : undefined);
    });
    server.use(handler);
    const input = ['g0', 'g1', 'g2', 'g3'].map((g) => ({ key: g, url: `/groups/${g}/members?$select=id&$top=2` }));
    const results = await drain(batchPages(transport, input));

    expect(record.envelopes).toBe(3);
    expect(record.seen.filter((s) => s.envelope === 2).map((s) => s.url)).toEqual([
      '/groups/g1/members?$select=id&$top=2&$skiptoken=RFNwdAIAAQAAAC%2B1%3D',
      '/groups/g2/members?$select=id&$top=2&$skiptoken=RFNwdAIAAQAAAC%2B1%3D',
    ]);
    expect(record.seen.filter((s) => s.envelope === 3).map((s) => s.url)).toEqual(['/groups/g1/members?$select=id&$top=2&$skiptoken=RFNwdAIAAQAAAC%2B2%3D']);
    const of = (g: string) => results.filter((r) => r.key === g).map((r) => ('page' in r ? r.page.value : r));
    expect(of('g1')).toEqual([[{ id: 'g1-p0' }], [{ id: 'g1-p1' }], [{ id: 'g1-p2' }], { key: 'g1', done: true }]);
    expect(of('g2')).toEqual([[{ id: 'g2-p0' }], [{ id: 'g2-p1' }], { key: 'g2', done: true }]);
    expect(of('g0')).toEqual([[{ id: 'g0-p0' }], { key: 'g0', done: true }]);
    const firstPage = results.find((r) => r.key === 'g1' && 'page' in r) as { page: { nextLink?: string } };
    expect(firstPage.page.nextLink).toBe(next('g1', 1));
  });

  it('reports a 404 item as notFound and a 403 item as an error with its Graph code; the others finish', async () => {
    const { time, transport } = fakeTransport();
    const { handler } = batchHandler(time.now, (sub) => {
      if (sub.url === spUrl(1)) {
        return { status: 404, headers: { 'request-id': 'rid-404' }, body: { error: { code: 'Request_ResourceNotFound', message: 'gone' } } };
      }
      if (sub.url === spUrl(2)) {
        return { status: 403, headers: { 'request-id': 'rid-403' }, body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } } };
      }
      return page([{ id: 'x' }]);
    });
    server.use(handler);
    const results = await drain(batchPages(transport, items(4)));
    expect(results.find((r) => r.key === 'sp1')).toEqual({ key: 'sp1', notFound: true, requestId: 'rid-404', graphCode: 'Request_ResourceNotFound' });
    expect(results.filter((r) => r.key === 'sp1')).toHaveLength(1);
    const denied = results.find((r) => r.key === 'sp2') as { error: GraphError };
    expect(denied.error).toBeInstanceOf(GraphError);
    expect(denied.error.code).toBe('GRAPH_REQUEST_FAILED');
    expect(denied.error.status).toBe(403);
    expect(denied.error.graphCode).toBe('Authorization_RequestDenied');
    expect(denied.error.requestId).toBe('rid-403');
    expect(denied.error.message).toContain(`${GRAPH}/v1.0${spUrl(2)}`);
    expect(results.filter((r) => 'done' in r).map((r) => r.key).sort()).toEqual(['sp0', 'sp3']);
  });

  it('refuses duplicate keys with a usage error before sending anything', async () => {
    const { time, transport } = fakeTransport();
    const { handler, record } = batchHandler(time.now, () => page([]));
    server.use(handler);
    const input = [...items(3), { key: 'sp1', url: spUrl(9) }];
    expect(() => batchPages(transport, input)).toThrow(UsageError);
    expect(() => batchPages(transport, input)).toThrow(/sp1.*twice/);
    expect(() => batchPages(transport, items(2), { batchSize: 21 })).toThrow(UsageError);
    expect(() => batchPages(transport, [{ key: 'a', url: 'https://elsewhere.test/v1.0/users' }])).toThrow(UsageError);

    // From a stream, the duplicate is refused when reached, and never sent.
    async function* stream() {
      yield* items(3);
      yield { key: 'sp0', url: spUrl(7) };
    }
    const err = await drain(batchPages(transport, stream())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(record.seen.map((s) => s.url)).not.toContain(spUrl(7));
  });

  it('keeps at most `concurrency` envelopes in flight', async () => {
    const { time, transport } = fakeTransport();
    const { handler, record } = batchHandler(time.now, () => page([{ id: 'x' }]), { delayMs: 15 });
    server.use(handler);
    const results = await drain(batchPages(transport, items(60), { batchSize: 5, concurrency: 3 }));
    expect(record.envelopes).toBe(12);
    expect(record.maxInFlight).toBe(3);
    expect(results.filter((r) => 'done' in r)).toHaveLength(60);
  });

  it('streams: takes items from the input only as slots free, and closes the input when the caller stops', async () => {
    const { time, transport } = fakeTransport();
    const { handler } = batchHandler(time.now, () => page([{ id: 'x' }]));
    server.use(handler);
    let pulled = 0;
    let closed = false;
    function* endless() {
      try {
        for (let i = 0; ; i += 1) {
          pulled += 1;
          yield { key: `sp${i}`, url: spUrl(i) };
        }
      } finally {
        closed = true;
      }
    }
    let seen = 0;
    for await (const r of batchPages(transport, endless(), { batchSize: 4, concurrency: 2, maxPending: 10 })) {
      void r;
      if (++seen === 30) break;
    }
    expect(pulled).toBeLessThanOrEqual(30 / 2 + 10 + 1);
    expect(closed).toBe(true);
  });

  it('with an envelope error that is not retried (400), every item in it fails with that error', async () => {
    const { time, transport } = fakeTransport();
    const { handler } = batchHandler(time.now, () => page([]), {
      envelope: () => HttpResponse.json({ error: { code: 'BadRequest', message: 'Invalid batch payload.' } }, { status: 400 }),
    });
    server.use(handler);
    const results = await drain(batchPages(transport, items(3)));
    expect(results).toHaveLength(3);
    for (const r of results) expect((r as { error: GraphError }).error.code).toBe('GRAPH_REQUEST_FAILED');
  });
});
