import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, GraphError } from '../../src/errors/index.js';
import { customHostsFor } from '../../src/graph/create-graph-client.js';
import type { TransportStats } from '../../src/graph/types.js';
import { FakeTokenSource, GRAPH, hasToken, unauthorized , fakeTransport } from './support.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const USERS = `${GRAPH}/v1.0/users`;

function setup(extra: { maxRetries?: number; maxThrottledRetries?: number; random?: () => number } = {}) {
  return fakeTransport({ maxRetries: extra.maxRetries, maxThrottledRetries: extra.maxThrottledRetries }, extra.random);
}

/** Serves `responses` in order (the last one repeats); rejects requests without the current token. */
function sequence(tokens: FakeTokenSource, responses: Array<() => Response>) {
  const seen: Request[] = [];
  server.use(
    http.get(USERS, ({ request }) => {
      if (!hasToken(request, tokens)) return unauthorized();
      seen.push(request.clone());
      return responses[Math.min(seen.length - 1, responses.length - 1)]!();
    }),
  );
  return seen;
}

const ok = () => HttpResponse.json({ value: [{ id: '1' }] }, { headers: { 'request-id': 'rid-ok' } });
const throttled = (retryAfter?: string) => () =>
  HttpResponse.json(
    { error: { code: 'TooManyRequests', message: 'Please retry again later.' } },
    { status: 429, headers: { 'request-id': 'rid-429', ...(retryAfter ? { 'retry-after': retryAfter } : {}) } },
  );
const status = (code: number, headers: Record<string, string> = {}) => () =>
  HttpResponse.json({ error: { code: 'serviceNotAvailable', message: 'x' } }, { status: code, headers });

describe('createGraphTransport retries', () => {
  it('sends the token to a custom Graph host (customHosts) and returns status, headers and body', async () => {
    expect([...customHostsFor(GRAPH)]).toEqual(['graph.sim.test']);
    expect([...customHostsFor('https://graph.microsoft.com')]).toEqual([]);
    const { tokens, transport } = setup();
    sequence(tokens, [ok]);
    const res = await transport.get('/users');
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toBe('rid-ok');
    expect(res.body).toEqual({ value: [{ id: '1' }] });
  });

  it('waits Retry-After on 429, then succeeds', async () => {
    const { tokens, time, events, transport } = setup();
    const seen = sequence(tokens, [throttled('2.128'), ok]);
    const stats: TransportStats = { requests: 0, throttled: 0, retries: 0, throttleWaitMs: 0 };
    const res = await transport.get('/users', { stats });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(time.t.sleeps).toEqual([2128]);
    expect(stats).toEqual({ requests: 2, throttled: 1, retries: 1, throttleWaitMs: 2128 });
    expect(transport.stats).toEqual(stats);
    expect(events).toContainEqual({ type: 'throttled', url: USERS, waitMs: 2128, status: 429 });
    expect(events).toContainEqual({ type: 'retry', url: USERS, attempt: 1, reason: '429', waitMs: 2128 });
  });

  it('reads an HTTP-date Retry-After and waits it in full, never cut short, up to maxWaitMs (10 minutes)', async () => {
    const { tokens, time, transport } = setup();
    const at = new Date(time.t.clock + 10 * 60_000).toUTCString(); // 10 minutes: the old 5-minute cap retried early
    sequence(tokens, [throttled(at), ok]);
    await transport.get('/users');
    expect(time.t.sleeps).toEqual([600_000]);
  });

  it('backs off exponentially with jitter when 429 carries no Retry-After', async () => {
    const { tokens, time, transport } = setup({ random: () => 0.5 });
    sequence(tokens, [throttled(), throttled(), throttled(), ok]);
    await transport.get('/users');
    // base 100, full jitter at 0.5: 50, 100, 200
    expect(time.t.sleeps).toEqual([50, 100, 200]);
  });

  it('caps the backoff at maxDelayMs', async () => {
    const { tokens, time, transport } = setup({ random: () => 0.999 });
    sequence(tokens, [...Array.from({ length: 6 }, () => status(503)), ok]);
    await transport.get('/users');
    expect(Math.max(...time.t.sleeps)).toBeLessThan(1000);
    expect(time.t.sleeps.at(-1)).toBe(999);
  });

  it('retries 503 and 504, honouring Retry-After when present', async () => {
    const { tokens, time, transport } = setup();
    const seen = sequence(tokens, [status(503, { 'retry-after': '3' }), status(504), status(503), ok]);
    const res = await transport.get('/users');
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(4);
    expect(time.t.sleeps).toEqual([3000, 100, 200]);
  });

  for (const code of [500, 502]) {
    it(`retries ${code} like 503: backoff without Retry-After, Retry-After through the shared gate with it`, async () => {
      const { tokens, time, events, transport } = setup();
      const seen = sequence(tokens, [status(code), status(code, { 'retry-after': '4' }), ok]);
      const res = await transport.get('/users');
      expect(res.status).toBe(200);
      expect(seen).toHaveLength(3);
      expect(time.t.sleeps).toEqual([50, 4000]);
      expect(transport.stats).toEqual({ requests: 3, throttled: 1, retries: 2, throttleWaitMs: 4000 });
      expect(events).toContainEqual({ type: 'throttled', url: USERS, waitMs: 4000, status: code });
    });

    it(`gives GRAPH_RETRIES_EXHAUSTED after repeated ${code}s, naming the request and Graph's request-id`, async () => {
      const { tokens, transport } = setup({ maxRetries: 2 });
      const seen = sequence(tokens, [status(code, { 'request-id': `rid-${code}` })]);
      const err = (await transport.get('/users').catch((e: unknown) => e)) as GraphError;
      expect(err.code).toBe('GRAPH_RETRIES_EXHAUSTED');
      expect(err.message).toContain(`GET ${USERS}`);
      expect(err.message).toContain(`status ${code}`);
      expect(err.message).toContain(`request-id rid-${code}`);
      expect(err.requestId).toBe(`rid-${code}`);
      expect(err.status).toBe(code);
      expect(seen).toHaveLength(3);
    });
  }

  it('does not retry 501 NotImplemented', async () => {
    const { tokens, transport } = setup();
    const seen = sequence(tokens, [status(501)]);
    const err = (await transport.get('/users').catch((e: unknown) => e)) as GraphError;
    expect(err.code).toBe('GRAPH_REQUEST_FAILED');
    expect(seen).toHaveLength(1);
  });

  it('retries a connection reset', async () => {
    const { tokens, transport } = setup();
    const seen = sequence(tokens, [() => HttpResponse.error(), () => HttpResponse.error(), ok]);
    const res = await transport.get('/users');
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(3);
    expect(transport.stats.retries).toBe(2);
  });

  it('gives GRAPH_RETRIES_EXHAUSTED naming method, URL, last status and request-id', async () => {
    const { tokens, transport } = setup({ maxThrottledRetries: 2 });
    const seen = sequence(tokens, [throttled('1')]);
    const err = await transport.get('/users').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    const g = err as GraphError;
    expect(g.code).toBe('GRAPH_RETRIES_EXHAUSTED');
    expect(g.message).toContain(`GET ${USERS}`);
    expect(g.message).toContain('429');
    expect(g.message).toContain('rid-429');
    expect(g.requestId).toBe('rid-429');
    expect(g.status).toBe(429);
    expect(seen).toHaveLength(3);
  });

  it('counts 429s apart from failures: twelve 429s and two 503s pass with 2 retries for failures; a third 503 does not', async () => {
    const { tokens, transport, events } = setup({ maxRetries: 2 });
    const answers = [...Array.from({ length: 6 }, () => throttled('1')), status(503), ...Array.from({ length: 6 }, () => throttled('1')), status(503), ok];
    const seen = sequence(tokens, answers);
    const res = await transport.get('/users');
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(15);
    // Each retry announces its attempt number over both budgets.
    expect(events.filter((e) => e.type === 'retry').map((e) => (e as { attempt: number }).attempt)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));

    const again = setup({ maxRetries: 2, maxThrottledRetries: 30 });
    sequence(again.tokens, [throttled('1'), status(503), throttled('1'), status(503), throttled('1'), status(503), ok]);
    const err = (await again.transport.get('/users').catch((e: unknown) => e)) as GraphError;
    expect(err.code).toBe('GRAPH_RETRIES_EXHAUSTED');
    expect(err.status).toBe(503);
    expect(err.message).toContain('after 6 attempts');
  });

  it('gives GRAPH_RETRIES_EXHAUSTED after repeated connection resets', async () => {
    const { tokens, transport } = setup({ maxRetries: 1 });
    sequence(tokens, [() => HttpResponse.error()]);
    const err = (await transport.get('/users').catch((e: unknown) => e)) as GraphError;
    expect(err.code).toBe('GRAPH_RETRIES_EXHAUSTED');
    expect(err.message).toContain(`GET ${USERS}`);
    expect(err.message).toContain('network error');
  });

  it('does not retry 403: GRAPH_REQUEST_FAILED with graphCode, status, request-id and a suggestion', async () => {
    const { tokens, transport } = setup();
    const seen = sequence(tokens, [
      () =>
        HttpResponse.json(
          { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } },
          { status: 403, headers: { 'request-id': 'rid-403' } },
        ),
    ]);
    const err = (await transport.get('/users').catch((e: unknown) => e)) as GraphError;
    expect(err).toBeInstanceOf(GraphError);
    expect(err.code).toBe('GRAPH_REQUEST_FAILED');
    expect(err.graphCode).toBe('Authorization_RequestDenied');
    expect(err.status).toBe(403);
    expect(err.requestId).toBe('rid-403');
    expect(err.suggestion).toMatch(/admin-consent/);
    expect(err.request).toBe(`GET ${USERS}`);
    expect(seen).toHaveLength(1);
  });

  it('404 says the resource is missing', async () => {
    const { tokens, transport } = setup();
    sequence(tokens, [
      () => HttpResponse.json({ error: { code: 'Request_ResourceNotFound', message: 'gone' } }, { status: 404 }),
    ]);
    const err = (await transport.get('/users').catch((e: unknown) => e)) as GraphError;
    expect(err.code).toBe('GRAPH_REQUEST_FAILED');
    expect(err.graphCode).toBe('Request_ResourceNotFound');
    expect(err.suggestion).toMatch(/missing/);
  });

  it('on 401 invalidates the token once and retries with a fresh one', async () => {
    const { tokens, events, transport } = setup();
    let first = true;
    server.use(
      http.get(USERS, ({ request }) => {
        if (first) {
          first = false;
          return unauthorized(); // Graph rejects the (cached) token once
        }
        return hasToken(request, tokens) && tokens.generation === 2 ? ok() : unauthorized();
      }),
    );
    const res = await transport.get('/users');
    expect(res.status).toBe(200);
    expect(tokens.invalidations).toBe(1);
    expect(events).toContainEqual({ type: 'token-refresh' });
  });

  it('on a second 401 gives AUTH_REJECTED, without the token in any message', async () => {
    const { tokens, transport } = setup();
    let calls = 0;
    server.use(
      http.get(USERS, () => {
        calls += 1;
        return unauthorized();
      }),
    );
    const err = (await transport.get('/users').catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe('AUTH_REJECTED');
    expect(err.message).toMatch(/fresh/);
    expect(err.requestId).toBe('rid-401');
    expect(calls).toBe(2);
    expect(tokens.invalidations).toBe(1);
    expectNoSecret(err);
  });

  it('never puts the token or Authorization header in error messages', async () => {
    const { tokens, transport } = setup({ maxRetries: 1 });
    for (const make of [throttled('0'), status(400), () => HttpResponse.error()]) {
      server.resetHandlers();
      sequence(tokens, [make]);
      const err = await transport.get('/users').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GraphError);
      expectNoSecret(err as GraphError);
    }
  });

  it('passes a token failure through unchanged and does not retry it', async () => {
    const { tokens, transport } = setup();
    const seen = sequence(tokens, [ok]);
    tokens.getToken = async () => {
      throw new AuthError('AUTH_INVALID_SECRET', 'The client secret is wrong.');
    };
    const err = (await transport.get('/users').catch((e: unknown) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe('AUTH_INVALID_SECRET');
    expect(seen).toHaveLength(0);
    expect(transport.stats.retries).toBe(0);
  });

  it('sends a fresh client-request-id GUID on every request, retries included, unless given', async () => {
    const { tokens, transport } = setup();
    const seen = sequence(tokens, [throttled('0'), () => HttpResponse.error(), status(503), ok]);
    await transport.get('/users');
    await transport.get('/users');
    const ids = seen.map((r) => r.headers.get('client-request-id'));
    expect(ids).toHaveLength(5);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(5);

    await transport.get('/users', { headers: { 'client-request-id': 'mine' } });
    expect(seen.at(-1)!.headers.get('client-request-id')).toBe('mine');
    // one Authorization value, even after retries (the auth handler appends)
    for (const r of seen) expect(r.headers.get('authorization')).toBe(`Bearer ${tokens.current}`);
  });
});

function expectNoSecret(err: { message: string; suggestion?: string; request?: string; cause?: unknown }) {
  const text = [err.message, err.suggestion, err.request, String(err.cause), JSON.stringify(err)].join('\n');
  expect(text).not.toMatch(/SECRET/);
  expect(text.toLowerCase()).not.toContain('bearer');
}
