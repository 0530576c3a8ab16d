import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GraphError, InterruptedError } from '../../src/errors/index.js';
import { batchPages, createGraphTransport, type BatchRequest, type BatchResult } from '../../src/graph/index.js';
import { FakeTokenSource, GRAPH, LOGIN_PAGE, batchHandler, fakeTransport, realDelay, settledWithin, stoppableTransport, type SubAnswer } from './support.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const url = (i: number) => `/servicePrincipals/sp${i}/appRoleAssignedTo?$select=id`;
const items = (n: number): BatchRequest[] => Array.from({ length: n }, (_, i) => ({ key: `sp${i}`, url: url(i) }));
const ok: SubAnswer = { status: 200, headers: { 'content-type': 'application/json' }, body: { value: [{ id: 'x' }] } };
const throttled = (headers: Record<string, string>): SubAnswer => ({
  status: 429,
  headers: { 'request-id': 'rid-429', ...headers },
  body: { error: { code: 'TooManyRequests', message: 'Please retry again later.' } },
});

async function drain(gen: AsyncIterable<BatchResult>): Promise<BatchResult[]> {
  const out: BatchResult[] = [];
  for await (const r of gen) out.push(r);
  return out;
}

/** Answers `first` to the first sub-request for each URL listed, `ok` otherwise. */
function onceThen(first: Record<string, SubAnswer>) {
  const served = new Set<string>();
  return (sub: { url: string }) => {
    if (first[sub.url] && !served.has(sub.url)) {
      served.add(sub.url);
      return first[sub.url]!;
    }
    return ok;
  };
}

describe('batchPages throttling and retries', () => {
  it('retries each throttled item only after its own Retry-After (seconds, decimal, HTTP-date, any header case)', async () => {
    const { time, transport } = fakeTransport();
    const start = time.t.clock;
    const { handler, record } = batchHandler(
      time.now,
      onceThen({
        [url(1)]: throttled({ 'Retry-After': '2' }),
        [url(2)]: throttled({ 'retry-after': '1.5' }),
        [url(3)]: throttled({ 'RETRY-AFTER': new Date(start + 7_000).toUTCString() }),
      }),
    );
    server.use(handler);
    const results = await drain(batchPages(transport, items(6), { shareItemThrottling: false }));

    expect(results.filter((r) => 'done' in r)).toHaveLength(6);
    const times = (i: number) => record.seen.filter((s) => s.url === url(i)).map((s) => s.at);
    const waits: Record<number, number> = { 1: 2000, 2: 1500, 3: 7000 };
    for (const [i, wait] of Object.entries(waits)) {
      const [first, second, ...more] = times(Number(i));
      expect(more).toHaveLength(0);
      expect(second! - first!).toBeGreaterThanOrEqual(wait);
    }
    // The others were asked once, in the first envelope.
    for (const i of [0, 4, 5]) expect(times(i)).toEqual([start]);
    expect(transport.stats).toMatchObject({ throttled: 3, retries: 3, batchItems: 9 });
  });

  it('without a shared window, the other items go on while a throttled item waits', async () => {
    // A fake clock whose sleeps take a little real time, so envelopes in flight can finish during a wait.
    const time = { t: { clock: 1_700_000_000_000 } };
    const transport = createGraphTransport({
      graphEndpoint: GRAPH,
      tokenSource: new FakeTokenSource(),
      now: () => time.t.clock,
      sleep: async (ms: number) => {
        await realDelay(150);
        time.t.clock += ms;
      },
    });
    const now = () => time.t.clock;
    const start = time.t.clock;
    let pageOfB = 0;
    const { handler, record } = batchHandler(now, (sub) => {
      if (sub.url.startsWith('/groups/b/')) {
        pageOfB += 1;
        const body = pageOfB < 4 ? { value: [], '@odata.nextLink': `${GRAPH}/v1.0/groups/b/members?$skiptoken=${pageOfB}` } : { value: [] };
        return { status: 200, body };
      }
      return record.seen.filter((s) => s.url === sub.url).length === 1 ? throttled({ 'Retry-After': '10' }) : ok;
    });
    server.use(handler);
    const input = [{ key: 'a', url: '/groups/a/members' }, { key: 'b', url: '/groups/b/members' }];
    await drain(batchPages(transport, input, { shareItemThrottling: false }));
    const bTimes = record.seen.filter((s) => s.url.startsWith('/groups/b/')).map((s) => s.at);
    const aTimes = record.seen.filter((s) => s.url.startsWith('/groups/a/')).map((s) => s.at);
    expect(bTimes).toHaveLength(4);
    for (const at of bTimes) expect(at).toBeLessThan(start + 10_000);
    expect(aTimes[1]! - aTimes[0]!).toBeGreaterThanOrEqual(10_000);
  });

  it('by default a throttled item closes the shared window: nothing is sent before its Retry-After', async () => {
    const { time, transport } = fakeTransport();
    const start = time.t.clock;
    let pageOfB = 0;
    const { handler, record } = batchHandler(time.now, (sub) => {
      if (sub.url.startsWith('/groups/b/')) {
        pageOfB += 1;
        return { status: 200, body: pageOfB < 3 ? { value: [], '@odata.nextLink': `${GRAPH}/v1.0/groups/b/members?$skiptoken=${pageOfB}` } : { value: [] } };
      }
      return record.seen.filter((s) => s.url === sub.url).length === 1 ? throttled({ 'Retry-After': '10' }) : ok;
    });
    server.use(handler);
    const input = [{ key: 'a', url: '/groups/a/members' }, { key: 'b', url: '/groups/b/members' }];
    await drain(batchPages(transport, input));
    const later = record.seen.filter((s) => s.envelope > 1);
    expect(later.length).toBeGreaterThan(0);
    for (const s of later) expect(s.at).toBeGreaterThanOrEqual(start + 10_000);
    expect(transport.stats.throttleWaitMs).toBeGreaterThanOrEqual(10_000);
  });

  it('backs off an item answered 503 without Retry-After, without closing the shared window', async () => {
    const { time, transport } = fakeTransport();
    const { handler, record } = batchHandler(time.now, onceThen({ [url(0)]: { status: 503, body: { error: { code: 'serviceNotAvailable' } } } }));
    server.use(handler);
    const results = await drain(batchPages(transport, items(2)));
    expect(results.filter((r) => 'done' in r)).toHaveLength(2);
    expect(time.t.sleeps).toEqual([50]); // base 100, full jitter at 0.5
    expect(transport.stats).toMatchObject({ throttled: 0, retries: 1, throttleWaitMs: 0 });
    expect(record.seen).toHaveLength(3);
  });

  it('gives up on an item throttled past its budget with GRAPH_RETRIES_EXHAUSTED naming its URL and request-id', async () => {
    const { time, transport } = fakeTransport({ maxThrottledRetries: 2 });
    const { handler, record } = batchHandler(time.now, (sub) => (sub.url === url(0) ? throttled({ 'Retry-After': '1' }) : ok));
    server.use(handler);
    const results = await drain(batchPages(transport, items(2)));
    const failed = results.find((r) => r.key === 'sp0') as { error: GraphError };
    expect(failed.error.code).toBe('GRAPH_RETRIES_EXHAUSTED');
    expect(failed.error.message).toContain(`GET ${GRAPH}/v1.0${url(0)}`);
    expect(failed.error.requestId).toBe('rid-429');
    expect(failed.error.status).toBe(429);
    expect(record.seen.filter((s) => s.url === url(0))).toHaveLength(3);
    expect(results).toContainEqual({ key: 'sp1', done: true });
  });

  it('counts an item\'s 429s apart from its failures: ten 429s and two 503s pass with 2 retries for failures', async () => {
    const { time, transport } = fakeTransport({ maxRetries: 2 });
    let n = 0;
    const answers: SubAnswer[] = [
      ...Array.from({ length: 5 }, () => throttled({ 'Retry-After': '1' })),
      { status: 503, headers: { 'Retry-After': '1' }, body: { error: { code: 'serviceNotAvailable', message: 'x' } } },
      ...Array.from({ length: 5 }, () => throttled({ 'Retry-After': '1' })),
      { status: 503, headers: {}, body: { error: { code: 'serviceNotAvailable', message: 'x' } } },
    ];
    const { handler, record } = batchHandler(time.now, (sub) => (sub.url === url(0) ? answers[n++] ?? ok : ok));
    server.use(handler);
    const results = await drain(batchPages(transport, items(2)));
    expect(results).toContainEqual({ key: 'sp0', done: true });
    expect(record.seen.filter((s) => s.url === url(0))).toHaveLength(13);
  });

  it('fails an item whose Retry-After is over maxWaitMs with GRAPH_THROTTLED_TOO_LONG', async () => {
    const { time, transport } = fakeTransport({ maxWaitMs: 60_000 });
    const { handler, record } = batchHandler(time.now, (sub) => (sub.url === url(0) ? throttled({ 'Retry-After': '3600' }) : ok));
    server.use(handler);
    const results = await drain(batchPages(transport, items(2)));
    expect((results.find((r) => r.key === 'sp0') as { error: GraphError }).error.code).toBe('GRAPH_THROTTLED_TOO_LONG');
    expect(record.seen.filter((s) => s.url === url(0))).toHaveLength(1);
  });

  it('retries an item answered with an HTML body, then gives GRAPH_INVALID_RESPONSE', async () => {
    const { time, transport } = fakeTransport({ maxRetries: 2 });
    const { handler, record } = batchHandler(time.now, (sub) =>
      sub.url === url(1) ? { status: 200, headers: { 'content-type': 'text/html' }, body: LOGIN_PAGE } : ok,
    );
    server.use(handler);
    const results = await drain(batchPages(transport, items(3)));
    const bad = results.find((r) => r.key === 'sp1') as { error: GraphError };
    expect(bad.error.code).toBe('GRAPH_INVALID_RESPONSE');
    expect(bad.error.message).toContain(url(1));
    expect(record.seen.filter((s) => s.url === url(1))).toHaveLength(3);
    expect(results.filter((r) => 'done' in r)).toHaveLength(2);
  });

  it('on an item 401 invalidates the token once and sends the item again with a fresh one', async () => {
    const { tokens, time, events, transport } = fakeTransport();
    const { handler, record } = batchHandler(time.now, (sub) =>
      sub.token === 'Bearer sim-token-SECRET-1' ? { status: 401, body: { error: { code: 'InvalidAuthenticationToken' } } } : ok,
    );
    server.use(handler);
    const results = await drain(batchPages(transport, items(3)));
    expect(results.filter((r) => 'done' in r)).toHaveLength(3);
    expect(tokens.invalidations).toBe(1);
    expect(record.envelopes).toBe(2);
    expect(events).toContainEqual({ type: 'token-refresh' });
  });

  it('waits out a whole envelope answered 429, then sends every item again', async () => {
    const { time, transport } = fakeTransport();
    const { handler, record } = batchHandler(time.now, () => ok, {
      envelope: (n) => (n === 1 ? HttpResponse.json({ error: { code: 'TooManyRequests' } }, { status: 429, headers: { 'Retry-After': '5' } }) : undefined),
    });
    server.use(handler);
    const start = time.t.clock;
    const results = await drain(batchPages(transport, items(3)));
    expect(results.filter((r) => 'done' in r)).toHaveLength(3);
    expect(record.envelopes).toBe(2);
    for (const s of record.seen.filter((x) => x.envelope === 2)) expect(s.at).toBeGreaterThanOrEqual(start + 5000);
    expect(transport.stats).toMatchObject({ requests: 2, throttled: 1, retries: 1 });
  });

  it('retries an envelope that is not a batch answer (HTML, JSON without responses)', async () => {
    const { time, transport } = fakeTransport();
    const { handler, record } = batchHandler(time.now, () => ok, {
      envelope: (n) =>
        n === 1 ? HttpResponse.html(LOGIN_PAGE) : n === 2 ? HttpResponse.json({ value: [] }) : undefined,
    });
    server.use(handler);
    const results = await drain(batchPages(transport, items(2)));
    expect(results.filter((r) => 'done' in r)).toHaveLength(2);
    expect(record.envelopes).toBe(3);
    expect(transport.stats.retries).toBe(2);
  });

  it('fails every item of an envelope that is never a batch answer with GRAPH_INVALID_RESPONSE', async () => {
    const { time, transport } = fakeTransport({ maxRetries: 1 });
    const { handler } = batchHandler(time.now, () => ok, { envelope: () => HttpResponse.html(LOGIN_PAGE) });
    server.use(handler);
    const results = await drain(batchPages(transport, items(2)));
    expect(results.map((r) => (r as { error: GraphError }).error.code)).toEqual(['GRAPH_INVALID_RESPONSE', 'GRAPH_INVALID_RESPONSE']);
  });
});

describe('batchPages stop', () => {
  const stoppable = () => stoppableTransport();

  for (const share of [true, false]) {
    it(`ends promptly with InterruptedError while items wait their Retry-After (shared window: ${share})`, async () => {
      const { time, stop, transport } = stoppable();
      const { handler, record } = batchHandler(time.now, () => throttled({ 'Retry-After': '3600' }));
      server.use(handler);
      const work = drain(batchPages(transport, items(3), { shareItemThrottling: share }));
      await realDelay(50);
      expect(time.t.sleeps).toContain(3_600_000);
      stop.abort('SIGINT');
      const outcome = await settledWithin(work, 1000);
      expect(outcome).not.toBe('pending');
      expect((outcome as { error: unknown }).error).toBeInstanceOf(InterruptedError);
      expect(record.envelopes).toBe(1);
    });
  }

  it('ends promptly with InterruptedError while an envelope is in flight', async () => {
    const { time, stop, transport } = stoppable();
    const { handler } = batchHandler(time.now, () => ok, { hold: new Promise<void>(() => undefined) });
    server.use(handler);
    const work = drain(batchPages(transport, items(3)));
    await realDelay(50);
    stop.abort('SIGINT');
    const outcome = await settledWithin(work, 1000);
    expect(outcome).not.toBe('pending');
    expect((outcome as { error: unknown }).error).toBeInstanceOf(InterruptedError);
  });
});
