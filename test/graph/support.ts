import { http, HttpResponse } from 'msw';
import type { TokenSource } from '../../src/auth/token-source.js';
import { createGraphTransport, type GraphTransportOptions, type RetryOptions, type TransportEvent } from '../../src/graph/index.js';

/** A Graph host that is not a known Microsoft one, so the customHosts rule is exercised. */
export const GRAPH = 'https://graph.sim.test';

/** Test token source: a new token after each invalidate(); counts calls. */
export class FakeTokenSource implements TokenSource {
  generation = 1;
  invalidations = 0;
  readonly stats = { tokenRequests: 0 };
  get current(): string {
    return `sim-token-SECRET-${this.generation}`;
  }
  async getToken(): Promise<string> {
    this.stats.tokenRequests += 1;
    return this.current;
  }
  invalidate(): void {
    this.invalidations += 1;
    this.generation += 1;
  }
}

/** Graph's answer to a request without a valid bearer token. */
export function unauthorized(): Response {
  return HttpResponse.json(
    { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } },
    { status: 401, headers: { 'request-id': 'rid-401' } },
  );
}

/** True when the request carries `Bearer <the token source's current token>`. */
export function hasToken(request: Request, tokens: FakeTokenSource): boolean {
  return request.headers.get('authorization') === `Bearer ${tokens.current}`;
}

/** Fake clock: sleep() advances time instantly and records each delay. */
export function fakeTime() {
  const t = { clock: 1_700_000_000_000, sleeps: [] as number[] };
  return {
    t,
    now: () => t.clock,
    sleep: async (ms: number) => {
      t.sleeps.push(ms);
      t.clock += ms;
    },
  };
}

export const realDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Fake clock whose sleep never ends by itself: only a stop can end a wait. Records each delay. */
export function hangingTime() {
  const t = { clock: 1_700_000_000_000, sleeps: [] as number[] };
  return {
    t,
    now: () => t.clock,
    sleep: (ms: number) => {
      t.sleeps.push(ms);
      return new Promise<void>(() => undefined);
    },
  };
}

/** Settles with 'pending' when `work` has not settled within `ms` of real time: proves promptness. */
export async function settledWithin<T>(work: Promise<T>, ms: number): Promise<{ value?: T; error?: unknown } | 'pending'> {
  return Promise.race([
    work.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    realDelay(ms).then(() => 'pending' as const),
  ]);
}

/** The error undici gives when the connection closes while the body is read. */
export function terminated(code = 'UND_ERR_SOCKET'): Error {
  return Object.assign(new TypeError('terminated'), { cause: Object.assign(new Error('other side closed'), { code }) });
}

/**
 * A 200 whose headers arrive and whose body breaks after `prefix`: `error` ends it (a connection
 * reset), no error leaves it hanging (a stalled connection).
 */
export function brokenBody(prefix: string, error?: Error, headers: Record<string, string> = {}): Response {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(prefix));
      if (error) controller.error(error);
    },
  });
  return new HttpResponse(stream, { status: 200, headers: { 'content-type': 'application/json', ...headers } });
}

/** What a proxy's login page looks like. */
export const LOGIN_PAGE = '<html><head><title>Login required</title></head><body>Sign in to the proxy</body></html>';

/**
 * A transport on the fake clock (sleeps advance time instantly) with a fake token source and its
 * events recorded: what every transport test starts from.
 */
export function fakeTransport(retry: RetryOptions = {}, random: () => number = () => 0.5) {
  const tokens = new FakeTokenSource();
  const time = fakeTime();
  const events: TransportEvent[] = [];
  const transport = createGraphTransport({
    graphEndpoint: GRAPH,
    tokenSource: tokens,
    retry: { maxRetries: 8, baseDelayMs: 100, maxDelayMs: 1000, ...definedOnly(retry) },
    now: time.now,
    sleep: time.sleep,
    random,
    onEvent: (e) => events.push(e),
  });
  return { tokens, time, events, transport };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A sub-request as the simulated `$batch` endpoint received it, with the fake clock time of its envelope. */
export interface SeenSubRequest {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** Fake-clock time (epoch ms) the envelope carrying it arrived. */
  at: number;
  /** 1-based number of the envelope that carried it. */
  envelope: number;
  /** The bearer token of the envelope. */
  token: string | null;
}

export interface SubAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * An msw handler for POST <GRAPH>/v1.0/$batch that answers every sub-request with `answer`, in
 * reverse order (Graph's order may differ), records each with the clock, and counts envelopes in
 * flight. `envelope(n)` may answer envelope n whole instead (a 429, an HTML page).
 */
export function batchHandler(
  now: () => number,
  answer: (sub: SeenSubRequest) => SubAnswer,
  options: { envelope?: (n: number) => Response | undefined; delayMs?: number; hold?: Promise<void> } = {},
) {
  const record = { seen: [] as SeenSubRequest[], envelopes: 0, inFlight: 0, maxInFlight: 0, bodies: [] as unknown[] };
  const handler = http.post(/\/v1\.0\/\$batch$/, async ({ request }) => {
    record.envelopes += 1;
    const n = record.envelopes;
    record.inFlight += 1;
    record.maxInFlight = Math.max(record.maxInFlight, record.inFlight);
    try {
      const body = (await request.json()) as { requests: Array<Omit<SeenSubRequest, 'at' | 'envelope' | 'token'>> };
      record.bodies.push(body);
      const at = now();
      const token = request.headers.get('authorization');
      const subs = body.requests.map((r) => ({ ...r, at, envelope: n, token }));
      record.seen.push(...subs);
      if (options.hold) await options.hold;
      if (options.delayMs) await realDelay(options.delayMs);
      const whole = options.envelope?.(n);
      if (whole) return whole;
      const responses = subs.map((sub) => ({ id: sub.id, ...answer(sub) })).reverse();
      return HttpResponse.json({ responses });
    } finally {
      record.inFlight -= 1;
    }
  });
  return { handler, record };
}

/**
 * A transport on a clock whose sleeps never end by themselves, with a run signal to stop it: only a
 * stop can end a wait (Retry-After up to two hours is waited, not refused).
 */
export function stoppableTransport(extra: Partial<GraphTransportOptions> = {}) {
  const tokens = new FakeTokenSource();
  const time = hangingTime();
  const stop = new AbortController();
  const events: TransportEvent[] = [];
  const transport = createGraphTransport({
    graphEndpoint: GRAPH,
    tokenSource: tokens,
    retry: { baseDelayMs: 100, maxDelayMs: 1000, maxWaitMs: 7_200_000 },
    now: time.now,
    sleep: time.sleep,
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    signal: stop.signal,
    ...extra,
  });
  return { tokens, time, stop, events, transport };
}
