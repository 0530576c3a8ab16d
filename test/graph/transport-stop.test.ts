import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors/index.js';
import { pages } from '../../src/graph/pages.js';
import { createGraphTransport } from '../../src/graph/transport.js';
import { FakeTokenSource, GRAPH, brokenBody, hasToken, realDelay, settledWithin, stoppableTransport, unauthorized } from './support.js';

/** Point 4: a stop ends every wait and every request in flight at once, and is never retried. */
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const USERS = `${GRAPH}/v1.0/users`;

const setup = stoppableTransport;

/** Serves `respond` for /users; counts the requests that reached it. */
function serve(tokens: FakeTokenSource, respond: () => Response | Promise<Response>) {
  const seen = { count: 0 };
  server.use(
    http.get(USERS, ({ request }) => {
      if (!hasToken(request, tokens)) return unauthorized();
      seen.count += 1;
      return respond();
    }),
  );
  return seen;
}

const throttled3600 = () =>
  HttpResponse.json({ error: { code: 'TooManyRequests' } }, { status: 429, headers: { 'retry-after': '3600' } });

/** Stops the run after a short real delay; the call must then settle well within a second. */
async function stopSoon(stop: AbortController, work: Promise<unknown>): Promise<unknown> {
  await realDelay(20);
  stop.abort('SIGINT');
  const outcome = await settledWithin(work, 1000);
  expect(outcome).not.toBe('pending');
  return (outcome as { error?: unknown }).error;
}

function expectInterrupted(err: unknown) {
  expect(err).toBeInstanceOf(InterruptedError);
  expect((err as InterruptedError).code).toBe('INTERRUPTED');
  expect((err as InterruptedError).message).toBe('Stopped by SIGINT');
}

describe('stopping the run', () => {
  it('ends the wait for a 429 with Retry-After: 3600 at once', async () => {
    const { tokens, time, stop, transport } = setup();
    const seen = serve(tokens, throttled3600);
    const err = await stopSoon(stop, transport.get('/users'));
    expectInterrupted(err);
    expect(time.t.sleeps).toEqual([3_600_000]); // it was waiting at the shared gate
    expect(seen.count).toBe(1);
  });

  it('ends a real one-hour timer too (the default sleep), leaving nothing to hold the process', async () => {
    const tokens = new FakeTokenSource();
    const stop = new AbortController();
    const transport = createGraphTransport({ graphEndpoint: GRAPH, tokenSource: tokens, retry: { maxWaitMs: 7_200_000 }, signal: stop.signal });
    serve(tokens, throttled3600);
    expectInterrupted(await stopSoon(stop, transport.get('/users')));
  });

  it('ends a backoff at once', async () => {
    const { tokens, time, stop, transport } = setup();
    serve(tokens, () => HttpResponse.json({ error: { code: 'serviceNotAvailable' } }, { status: 503 }));
    expectInterrupted(await stopSoon(stop, transport.get('/users')));
    expect(time.t.sleeps).toEqual([50]);
  });

  it('aborts a request in flight: not retried, not counted as a network error', async () => {
    const { tokens, time, stop, events, transport } = setup();
    let release!: () => void;
    const seen = serve(tokens, async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return HttpResponse.json({ value: [] });
    });
    const err = await stopSoon(stop, transport.get('/users'));
    release();
    expectInterrupted(err);
    expect(seen.count).toBe(1);
    expect(transport.stats).toMatchObject({ requests: 1, retries: 0 });
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
    expect(time.t.sleeps).toEqual([]);
  });

  it('aborts a body being read', async () => {
    const { tokens, stop, transport } = setup();
    serve(tokens, () => brokenBody('{"value":[{"id":"1"},'));
    expectInterrupted(await stopSoon(stop, transport.get('/users')));
    expect(transport.stats.retries).toBe(0);
  });

  it('a request after the stop fails at once without touching the network, queued ones too', async () => {
    const { tokens, stop, transport } = setup({ concurrency: 1 });
    let release!: () => void;
    const seen = serve(tokens, async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return HttpResponse.json({ value: [] });
    });
    const first = transport.get('/users');
    const queued = transport.get('/users?i=2');
    const firstErr = await stopSoon(stop, first);
    release();
    expectInterrupted(firstErr);
    expectInterrupted(await queued.catch((e: unknown) => e));
    expectInterrupted(await transport.get('/users?i=3').catch((e: unknown) => e));
    expect(seen.count).toBe(1);
    expect(transport.stats.requests).toBe(1);
  });

  it('aborts the page pages() prefetched; the caller gets InterruptedError, and nothing is left unhandled', async () => {
    const { tokens, stop, transport } = setup();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let n = 0;
      serve(tokens, async () => {
        n += 1;
        if (n === 1) return HttpResponse.json({ value: [{ id: 'a' }], '@odata.nextLink': `${USERS}?$skiptoken=2` });
        await new Promise<void>(() => undefined); // the prefetch hangs until aborted
        return HttpResponse.json({ value: [] });
      });
      const it = pages(transport, '/users', { kind: 'delta' });
      expect((await it.next()).value).toMatchObject({ value: [{ id: 'a' }] });
      expectInterrupted(await stopSoon(stop, it.next()));

      // A caller that stops reading while the prefetch is being aborted.
      const stop2 = setup();
      n = 0;
      serve(stop2.tokens, async () => {
        n += 1;
        if (n === 1) return HttpResponse.json({ value: [{ id: 'a' }], '@odata.nextLink': `${USERS}?$skiptoken=2` });
        await new Promise<void>(() => undefined);
        return HttpResponse.json({ value: [] });
      });
      for await (const _ of pages(stop2.transport, '/users', { kind: 'delta' })) {
        stop2.stop.abort('SIGINT');
        break;
      }
      await realDelay(30);
      await new Promise(setImmediate);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
