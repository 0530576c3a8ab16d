import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GraphError } from '../../src/errors/index.js';
import { judgeSuccessBody } from '../../src/graph/body-check.js';
import { pageAcceptor } from '../../src/graph/page-check.js';
import { FakeTokenSource, GRAPH, LOGIN_PAGE, brokenBody, hasToken, terminated, unauthorized , fakeTransport } from './support.js';

/** Point 1: a 2xx is the JSON asked for, read whole inside the retry loop, or it is retried and then fails. */
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const USERS = `${GRAPH}/v1.0/users`;
const asPage = pageAcceptor('list');

function setup(extra: { maxRetries?: number; requestTimeoutMs?: number } = {}) {
  return fakeTransport(extra);
}

function sequence(tokens: FakeTokenSource, responses: Array<() => Response>) {
  let n = 0;
  server.use(
    http.get(USERS, ({ request }) => {
      if (!hasToken(request, tokens)) return unauthorized();
      n += 1;
      return responses[Math.min(n - 1, responses.length - 1)]!();
    }),
  );
  return { get count() { return n; } };
}

const ok = () => HttpResponse.json({ value: [{ id: '1' }] }, { headers: { 'request-id': 'rid-ok' } });
const raw = (body: string, contentType: string | undefined, headers: Record<string, string> = {}) => () =>
  new HttpResponse(body, { status: 200, headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers } });

const invalid: Array<{ name: string; make: () => Response; words: RegExp }> = [
  {
    name: 'an HTML login page from a proxy',
    make: raw(LOGIN_PAGE, 'text/html; charset=utf-8', { 'request-id': 'rid-html' }),
    words: /an HTML page \(text\/html, 88 bytes\) starting '<html><head><title>Login required<\/title/,
  },
  { name: 'an empty body', make: raw('', 'application/json', { 'request-id': 'rid-empty' }), words: /an empty body/ },
  {
    name: 'truncated JSON',
    make: raw('{"value":[{"id":"1"},{"id":', 'application/json', { 'request-id': 'rid-cut' }),
    words: /JSON cut short or unparseable \(27 bytes\)/,
  },
  { name: '{} for a page', make: raw('{}', 'application/json', { 'request-id': 'rid-obj' }), words: /a JSON object without a `value` array/ },
  {
    name: 'JSON under a wrong content type',
    make: raw('{"value":[]}', 'text/plain', { 'request-id': 'rid-plain' }),
    words: /a text\/plain body \(12 bytes\) starting '\{"value":\[\]\}'/,
  },
];

describe('a 2xx body must be the JSON asked for', () => {
  for (const { name, make, words } of invalid) {
    it(`${name}: retried with backoff, then GRAPH_INVALID_RESPONSE in plain words`, async () => {
      const { tokens, time, events, transport } = setup({ maxRetries: 2 });
      const seen = sequence(tokens, [make]);
      const stats = { requests: 0, throttled: 0, retries: 0, throttleWaitMs: 0 };
      const err = (await transport.get('/users', { stats, accept: asPage }).catch((e: unknown) => e)) as GraphError;
      expect(err).toBeInstanceOf(GraphError);
      expect(err.code).toBe('GRAPH_INVALID_RESPONSE');
      expect(err.message).toContain(`GET ${USERS}`);
      expect(err.message).toContain('200');
      expect(err.message).toMatch(words);
      expect(err.message).toMatch(/request-id rid-/);
      expect(err.requestId).toMatch(/^rid-/);
      expect(err.status).toBe(200);
      expect(err.suggestion).toMatch(/proxy/);
      expect(seen.count).toBe(3);
      expect(time.t.sleeps).toEqual([50, 100]); // backoff with jitter, as for a 5xx without Retry-After
      expect(stats).toEqual({ requests: 3, throttled: 0, retries: 2, throttleWaitMs: 0 });
      expect(events.filter((e) => e.type === 'retry').map((e) => (e as { reason: string }).reason)).toEqual([
        expect.stringMatching(/^invalid response: /),
        expect.stringMatching(/^invalid response: /),
      ]);
    });

    it(`${name}, then a good page: the good page is returned`, async () => {
      const { tokens, transport } = setup();
      const seen = sequence(tokens, [make, ok]);
      const res = await transport.get('/users', { accept: asPage });
      expect(res.body).toEqual({ value: [{ id: '1' }] });
      expect(seen.count).toBe(2);
      expect(transport.stats.retries).toBe(1);
    });
  }

  it('says "no request-id" when the answer carries none (so it probably did not come from Graph)', async () => {
    const { tokens, transport } = setup({ maxRetries: 0 });
    sequence(tokens, [raw(LOGIN_PAGE, 'text/html')]);
    const err = (await transport.get('/users').catch((e: unknown) => e)) as GraphError;
    expect(err.code).toBe('GRAPH_INVALID_RESPONSE');
    expect(err.message).toMatch(/no request-id/);
    expect(err.requestId).toBeUndefined();
  });

  it('takes application/json with any parameters, and returns the parsed body', async () => {
    const { tokens, transport } = setup();
    const type = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
    sequence(tokens, [raw('{"value":[{"id":"x"}],"@odata.nextLink":"n"}', type)]);
    const seenByAccept: unknown[] = [];
    const res = await transport.get('/users', { accept: (b) => (seenByAccept.push(b), undefined) });
    expect(res.body).toEqual({ value: [{ id: 'x' }], '@odata.nextLink': 'n' });
    expect(seenByAccept).toEqual([res.body]);
    expect(transport.stats.retries).toBe(0);
  });

  it('without a validator, any JSON is accepted but HTML is not', async () => {
    const { tokens, transport } = setup();
    const seen = sequence(tokens, [raw(LOGIN_PAGE, 'application/json'), raw('[1,2]', 'application/json')]);
    expect((await transport.get('/users')).body).toEqual([1, 2]);
    expect(seen.count).toBe(2);
  });
});

describe('the body is read inside the retry loop', () => {
  for (const code of ['UND_ERR_SOCKET', 'ECONNRESET']) {
    it(`a connection cut while reading the body (terminated, ${code}) is retried like a reset`, async () => {
      const { tokens, time, events, transport } = setup();
      const seen = sequence(tokens, [() => brokenBody('{"value":[{"id":"1"},', terminated(code)), ok]);
      const res = await transport.get('/users', { accept: asPage });
      expect(res.body).toEqual({ value: [{ id: '1' }] });
      expect(seen.count).toBe(2);
      expect(transport.stats).toMatchObject({ requests: 2, retries: 1, throttled: 0 });
      expect(time.t.sleeps).toEqual([50]);
      expect(events).toContainEqual({ type: 'retry', url: USERS, attempt: 1, reason: `network error (${code})`, waitMs: 50 });
    });
  }

  it('a body cut every time ends in GRAPH_RETRIES_EXHAUSTED naming the network error', async () => {
    const { tokens, transport } = setup({ maxRetries: 1 });
    sequence(tokens, [() => brokenBody('{"value":[', terminated())]);
    const err = (await transport.get('/users').catch((e: unknown) => e)) as GraphError;
    expect(err.code).toBe('GRAPH_RETRIES_EXHAUSTED');
    expect(err.message).toContain(`GET ${USERS}`);
    expect(err.message).toContain('network error (UND_ERR_SOCKET)');
  });

  it('a body that stalls past the per-attempt timeout is retried', async () => {
    const { tokens, transport } = setup({ requestTimeoutMs: 40 });
    const seen = sequence(tokens, [() => brokenBody('{"value":['), ok]);
    const res = await transport.get('/users', { accept: asPage });
    expect(res.body).toEqual({ value: [{ id: '1' }] });
    expect(seen.count).toBe(2);
    expect(transport.stats.retries).toBe(1);
  });

  it('a non-2xx keeps its body as is (HTML from a gateway too) and is not retried unless its status is', async () => {
    const { tokens, transport } = setup();
    const seen = sequence(tokens, [() => new HttpResponse('<html>Forbidden by proxy</html>', { status: 403, headers: { 'content-type': 'text/html' } })]);
    const err = (await transport.get('/users').catch((e: unknown) => e)) as GraphError;
    expect(err.code).toBe('GRAPH_REQUEST_FAILED');
    expect(err.status).toBe(403);
    expect(seen.count).toBe(1);
  });
});

describe('judgeSuccessBody words', () => {
  it('names a body without a content type plainly', () => {
    expect(judgeSuccessBody(null, '{"value":[]}')).toEqual({ ok: false, problem: "a body without a content type (12 bytes) starting '{\"value\":[]}'" });
    expect(judgeSuccessBody(null, '<!doctype html><p>hi')).toMatchObject({ ok: false, problem: expect.stringMatching(/^an HTML page \(no content type, 20 bytes\)/) });
    expect(judgeSuccessBody('application/json', '  \n')).toEqual({ ok: false, problem: 'an empty body' });
  });
});
