import { performance } from 'node:perf_hooks';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUSY, EnvelopeWindow, WAITING_ON_GRAPH } from '../../src/graph/envelope-window.js';
import { batchPages, type BatchRequest } from '../../src/graph/index.js';
import { INITIAL_ENVELOPES_IN_FLIGHT, MIN_ENVELOPES_IN_FLIGHT } from '../../src/graph/batch-pages.js';
import { batchHandler, fakeTransport } from './support.js';

describe('EnvelopeWindow', () => {
  /** A window whose rounds find the event loop `busy.share` busy (what Node would report). */
  const windowWith = (min: number, max: number, initial: number, fixed = false) => {
    const busy = { share: 0 };
    const w = new EnvelopeWindow(min, max, initial, fixed, () => busy.share);
    /** One round: as many envelopes settle as the window holds; the consumer waited with it full or not. */
    const round = (share: number, full = true) => {
      busy.share = share;
      const n = w.size;
      w.waiting(full ? n : n - 1, true);
      for (let i = 0; i < n; i++) w.settled();
    };
    return { w, round, busy };
  };

  it('grows by one a round while the process waits on Graph with the window full, up to the maximum', () => {
    const { w, round } = windowWith(2, 10, 8);
    round(0.1);
    expect(w.size).toBe(9);
    // Waiting with room left in the window: the window was not what held it up.
    round(0.1, false);
    // Neither mostly idle nor saturated: as it is.
    round(0.7);
    expect(w.size).toBe(9);
    for (let i = 0; i < 5; i++) round(WAITING_ON_GRAPH);
    expect(w.size).toBe(10);
  });

  it('shrinks by one a round while the event loop is saturated, down to the minimum; one round is as many envelopes as it holds', () => {
    const { w, round, busy } = windowWith(2, 32, 8);
    busy.share = BUSY;
    for (let i = 0; i < 7; i++) w.settled();
    expect(w.size).toBe(8);
    w.settled();
    expect(w.size).toBe(7);
    for (let i = 0; i < 10; i++) round(1);
    expect(w.size).toBe(2);
    round(0);
    expect(w.size).toBe(3);
  });

  it('a size the caller chose never moves, and the start is kept within the bounds', () => {
    const { w, round } = windowWith(3, 3, 3, true);
    round(0);
    round(1);
    expect(w.size).toBe(3);
    expect(new EnvelopeWindow(2, 4, 8).size).toBe(4);
    expect(new EnvelopeWindow(2, 1, 8).size).toBe(1);
  });
});

describe('batchPages adapts its envelopes in flight', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  const items = (n: number): BatchRequest[] => Array.from({ length: n }, (_, i) => ({ key: `g${i}`, url: `/groups/g${i}/members?$select=id&$top=999` }));
  const ok = () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: { value: [{ id: 'm' }] } });

  it('more than it starts with while Graph is the slower side', async () => {
    const { time, transport } = fakeTransport();
    expect(transport.shared.concurrency).toBeGreaterThan(INITIAL_ENVELOPES_IN_FLIGHT + 4);
    const { handler, record } = batchHandler(time.now, ok, { delayMs: 80 });
    server.use(handler);
    let n = 0;
    for await (const r of batchPages(transport, items(20 * 120))) if ('done' in r) n++;
    expect(n).toBe(2400);
    expect(record.maxInFlight).toBeGreaterThan(INITIAL_ENVELOPES_IN_FLIGHT);
    expect(record.maxInFlight).toBeLessThanOrEqual(transport.shared.concurrency);
  });

  it('down to the minimum while the consumer is the slower side', async () => {
    const { time, transport } = fakeTransport();
    const { handler, record } = batchHandler(time.now, ok, { delayMs: 2 });
    server.use(handler);
    const inFlightWhenConsumed: number[] = [];
    let n = 0;
    for await (const r of batchPages(transport, items(20 * 60))) {
      // A writer slower than the network: each result costs it half a millisecond of synchronous work.
      const until = performance.now() + 0.5;
      while (performance.now() < until) { /* writing */ }
      inFlightWhenConsumed.push(record.inFlight);
      if ('done' in r) n++;
    }
    expect(n).toBe(1200);
    // Early on, as many as it starts with; once it has adapted, never more than the minimum.
    expect(Math.max(...inFlightWhenConsumed.slice(0, 100))).toBeGreaterThan(MIN_ENVELOPES_IN_FLIGHT);
    expect(Math.max(...inFlightWhenConsumed.slice(-1000))).toBeLessThanOrEqual(MIN_ENVELOPES_IN_FLIGHT);
  });
});
