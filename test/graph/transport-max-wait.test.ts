import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GraphError } from '../../src/errors/index.js';
import { FakeTokenSource, GRAPH, hasToken, unauthorized , fakeTransport } from './support.js';

/** Point 3: Graph's wait is never cut short; a wait longer than --max-wait fails instead. */
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function setup(maxWaitMs?: number) {
  return fakeTransport({ maxWaitMs });
}

/** /v1.0/<name>: answers from `plan` by path, in order (the last repeats); records paths received. */
function serve(tokens: FakeTokenSource, plan: Record<string, Array<() => Response>>) {
  const received: string[] = [];
  server.use(
    http.get(`${GRAPH}/v1.0/:name`, ({ request, params }) => {
      if (!hasToken(request, tokens)) return unauthorized();
      const name = String(params.name);
      received.push(name);
      const list = plan[name]!;
      const n = received.filter((r) => r === name).length;
      return list[Math.min(n - 1, list.length - 1)]!();
    }),
  );
  return received;
}

const ok = () => HttpResponse.json({ value: [] });
const throttled = (retryAfter: string) => () =>
  HttpResponse.json(
    { error: { code: 'TooManyRequests', message: 'Please retry again later.' } },
    { status: 429, headers: { 'retry-after': retryAfter, 'request-id': 'rid-429' } },
  );

describe('--max-wait', () => {
  it('defaults to 10 minutes: a 600 s Retry-After is waited in full', async () => {
    const { tokens, time, transport } = setup();
    serve(tokens, { users: [throttled('600'), ok] });
    await transport.get('/users');
    expect(time.t.sleeps).toEqual([600_000]);
  });

  it('a Retry-After over maxWaitMs fails that request at once with GRAPH_THROTTLED_TOO_LONG', async () => {
    const { tokens, time, events, transport } = setup();
    const received = serve(tokens, { users: [throttled('900'), ok] });
    const err = (await transport.get('/users').catch((e: unknown) => e)) as GraphError;
    expect(err).toBeInstanceOf(GraphError);
    expect(err.code).toBe('GRAPH_THROTTLED_TOO_LONG');
    expect(err.message).toContain(`Graph asked to wait 900 s before GET ${GRAPH}/v1.0/users`);
    expect(err.message).toContain('longer than --max-wait 600 s');
    expect(err.message).toContain('rid-429');
    expect(err.requestId).toBe('rid-429');
    expect(err.status).toBe(429);
    expect(err.suggestion).toMatch(/later.*--max-wait/);
    expect(received).toEqual(['users']);
    expect(time.t.sleeps).toEqual([]);
    expect(transport.stats).toMatchObject({ requests: 1, throttled: 1, retries: 0 });
    expect(events).toContainEqual({ type: 'throttled', url: `${GRAPH}/v1.0/users`, waitMs: 900_000, status: 429 });
  });

  it('closes the shared window for the server\'s full time anyway: no caller sends inside it', async () => {
    const { tokens, time, transport } = setup();
    const received = serve(tokens, { users: [throttled('900')], groups: [ok] });
    await transport.get('/users').catch(() => undefined);
    // Another caller arrives while 900 s are left: more than it may wait, so it fails without a request.
    const err = (await transport.get('/groups').catch((e: unknown) => e)) as GraphError;
    expect(err.code).toBe('GRAPH_THROTTLED_TOO_LONG');
    expect(err.message).toContain(`before GET ${GRAPH}/v1.0/groups`);
    expect(err.message).toMatch(/wait another 900 s/);
    expect(received).toEqual(['users']);
    // With 500 s left it waits them out in full, then sends.
    time.t.clock += 400_000;
    await transport.get('/groups');
    expect(time.t.sleeps).toEqual([500_000]);
    expect(received).toEqual(['users', 'groups']);
  });

  it('honours an HTTP-date Retry-After past maxWaitMs the same way', async () => {
    const { tokens, time, transport } = setup(60_000);
    const at = new Date(time.t.clock + 120_000).toUTCString();
    serve(tokens, { users: [throttled(at), ok] });
    const err = (await transport.get('/users').catch((e: unknown) => e)) as GraphError;
    expect(err.code).toBe('GRAPH_THROTTLED_TOO_LONG');
    expect(err.message).toContain('Graph asked to wait 120 s');
    expect(err.message).toContain('--max-wait 60 s');
  });

  it('a 503 with a too-long Retry-After fails the same way', async () => {
    const { tokens, transport } = setup(10_000);
    serve(tokens, {
      users: [() => HttpResponse.json({ error: { code: 'serviceNotAvailable' } }, { status: 503, headers: { 'retry-after': '30' } })],
    });
    const err = (await transport.get('/users').catch((e: unknown) => e)) as GraphError;
    expect(err.code).toBe('GRAPH_THROTTLED_TOO_LONG');
    expect(err.status).toBe(503);
  });

  it('a raised maxWaitMs waits a long Retry-After in full', async () => {
    const { tokens, time, transport } = setup(3_600_000);
    serve(tokens, { users: [throttled('3600'), ok] });
    await transport.get('/users');
    expect(time.t.sleeps).toEqual([3_600_000]);
  });
});
