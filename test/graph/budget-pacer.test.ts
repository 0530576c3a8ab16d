import { describe, expect, it } from 'vitest';
import { BudgetPacer, type BudgetPacerOptions } from '../../src/graph/budget-pacer.js';
import { InterruptedError } from '../../src/errors/index.js';
import { RuBudget } from '../../src/sim/graph/ru-budget.js';

/**
 * Virtual time: sleep() registers a timer that fires only when advance() reaches it (and rejects at
 * once when its signal aborts), so several sleepers interleave as they would in real time.
 */
function virtualTime(start = 1_700_000_000_000) {
  const t = { clock: start, sleeps: [] as number[] };
  let timers: { at: number; seq: number; fire: () => void }[] = [];
  let seq = 0;
  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      t.sleeps.push(ms);
      const timer = { at: t.clock + ms, seq: seq++, fire: resolve };
      timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          timers = timers.filter((x) => x !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
  /** Moves the clock forward by `ms`, firing due timers in order and letting their continuations run. */
  async function advance(ms: number): Promise<void> {
    const end = t.clock + ms;
    for (;;) {
      await flush();
      timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = timers[0];
      if (!next || next.at > end) break;
      timers.shift();
      t.clock = Math.max(t.clock, next.at);
      next.fire();
    }
    t.clock = end;
    await flush();
  }
  return { t, now: () => t.clock, sleep, advance, flush };
}

function setup(options: Partial<BudgetPacerOptions> = {}) {
  const v = virtualTime();
  // A full bucket at the start (the tests below are about what comes after it).
  const tiers = options.tiers ?? [100];
  const initialTokens = Math.max(...tiers) * (options.target ?? 1);
  const pacer = new BudgetPacer({ tiers: [100], target: 1, now: v.now, sleep: v.sleep, initialTokens, ...options });
  return { v, pacer };
}

/** Records when a promise settles, without awaiting it. */
function track<T>(work: Promise<T>) {
  const state: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  work.then(
    (value) => Object.assign(state, { value, settled: true }),
    (error: unknown) => Object.assign(state, { error, settled: true }),
  );
  return state;
}

describe('BudgetPacer: the bucket', () => {
  it('refills at the highest tier, but its first burst spends only what the lowest tier holds', async () => {
    const v = virtualTime();
    const pacer = new BudgetPacer({ tiers: [8000, 3500, 5000], now: v.now, sleep: v.sleep });
    expect(pacer.snapshot()).toEqual({ capacity: 8000, tokens: 3325, waitedMs: 0, waits: 0, stepDowns: 0 });
    await v.advance(1000);
    expect(pacer.tokens).toBeCloseTo(3325 + 760);
  });

  it('serves bulk callers only when no other caller waits: a page asked for after them goes first', async () => {
    const { v, pacer } = setup({ tiers: [100], initialTokens: 0 });
    // 100 RU per 10 s: 0.01 RU per ms.
    const bulk1 = track(pacer.acquire(50, undefined, true));
    const bulk2 = track(pacer.acquire(50, undefined, true));
    await v.advance(1000); // 10 RU in the bucket: not enough for the first envelope
    const page = track(pacer.acquire(5));
    await v.flush();
    // It goes at once: the bucket can pay it, and only bulk callers wait.
    expect([page.settled, bulk1.settled, bulk2.settled]).toEqual([true, false, false]);
    const page2 = track(pacer.acquire(20));
    await v.advance(1499); // 19.99 RU: still short
    expect([page2.settled, bulk1.settled]).toEqual([false, false]);
    await v.advance(1);
    // The page queued behind nobody but bulk callers, so it had the bucket first; then the envelopes in order.
    expect([page2.settled, bulk1.settled]).toEqual([true, false]);
    await v.advance(5000);
    expect([bulk1.settled, bulk2.settled]).toEqual([true, false]);
    await v.advance(5000);
    expect(bulk2.settled).toBe(true);
  });

  it('refuses an empty tier list and an invalid cost', async () => {
    expect(() => new BudgetPacer({ tiers: [] })).toThrow(RangeError);
    const { pacer } = setup();
    await expect(pacer.acquire(-1)).rejects.toThrow(RangeError);
    await expect(pacer.acquire(Number.NaN)).rejects.toThrow(RangeError);
  });

  it('goes at once while the bucket can pay, then waits for the refill and reports the wait', async () => {
    const { v, pacer } = setup();
    await expect(pacer.acquire(60)).resolves.toBe(0);
    await expect(pacer.acquire(40)).resolves.toBe(0);
    // 100 per 10 s = 0.01 per ms: 10 more take 1,000 ms.
    const next = track(pacer.acquire(10));
    await v.advance(999);
    expect(next.settled).toBe(false);
    await v.advance(1);
    expect(next.value).toBe(1000);
    expect(pacer.snapshot()).toMatchObject({ waitedMs: 1000, waits: 1 });
  });

  it('refills continuously, never above capacity × target', async () => {
    const { v, pacer } = setup({ tiers: [1000], target: 0.5 });
    await pacer.acquire(500);
    expect(pacer.tokens).toBe(0);
    await v.advance(5_000);
    expect(pacer.tokens).toBeCloseTo(250);
    await v.advance(60_000);
    expect(pacer.tokens).toBe(500);
  });

  it('lets a cost larger than the bucket go once the bucket is full, into debt', async () => {
    const { v, pacer } = setup();
    await pacer.acquire(30);
    const big = track(pacer.acquire(250));
    await v.advance(2_999);
    expect(big.settled).toBe(false);
    await v.advance(1);
    expect(big.value).toBe(3000);
    expect(pacer.tokens).toBe(-150);
  });

  it('serves callers first come, first served: a large cost is not starved by small ones', async () => {
    const { v, pacer } = setup();
    await pacer.acquire(100);
    const order: string[] = [];
    const big = pacer.acquire(50).then(() => order.push('big'));
    const smalls = Array.from({ length: 10 }, (_, i) => pacer.acquire(1).then(() => order.push(`small${i}`)));
    expect(pacer.pending).toBe(11);
    await v.advance(10_000);
    await Promise.all([big, ...smalls]);
    expect(order).toEqual(['big', ...Array.from({ length: 10 }, (_, i) => `small${i}`)]);
    // The big one went at 5,000 ms, the small ones each 100 ms after the previous.
    expect(v.t.clock - 1_700_000_000_000).toBe(10_000);
    expect(pacer.snapshot().waitedMs).toBe(5000 + (5100 + 5200 + 5300 + 5400 + 5500 + 5600 + 5700 + 5800 + 5900 + 6000));
  });

  it('paces concurrent callers at capacity × target over a simulated minute', async () => {
    const { v, pacer } = setup({ tiers: [5000], target: 0.95 });
    let acquired = 0;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        await pacer.acquire(10);
        acquired += 10;
        await v.sleep(30); // the request's latency
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await v.advance(60_000);
    stop = true;
    // The full bucket at the start, then 4,750 per 10 s.
    expect(Math.abs(acquired - (4750 + 6 * 4750))).toBeLessThanOrEqual(10);
    expect(pacer.snapshot().stepDowns).toBe(0);
    void workers;
  });
});

describe('BudgetPacer: abort, refund, charged', () => {
  it('rejects a waiter at once when its signal aborts and serves the next one as if it had never come', async () => {
    const { v, pacer } = setup();
    await pacer.acquire(100);
    const stop = new AbortController();
    const head = track(pacer.acquire(50, stop.signal));
    const next = track(pacer.acquire(1));
    await v.advance(100);
    stop.abort('SIGINT');
    await v.flush();
    expect(head.error).toBeInstanceOf(InterruptedError);
    expect((head.error as Error).message).toContain('SIGINT');
    // The next one needed 1 RU, which the 100 ms already refilled: it goes without waiting longer.
    expect(next.value).toBe(100);
    expect(pacer.pending).toBe(0);
    expect(pacer.tokens).toBeCloseTo(0);
  });

  it('keeps the queue in order when a waiter in the middle aborts', async () => {
    const { v, pacer } = setup();
    await pacer.acquire(100);
    const stop = new AbortController();
    const order: number[] = [];
    const a = pacer.acquire(10).then(() => order.push(1));
    const b = track(pacer.acquire(10, stop.signal));
    const c = pacer.acquire(10).then(() => order.push(3));
    stop.abort('SIGTERM');
    await v.flush();
    expect(b.error).toBeInstanceOf(InterruptedError);
    expect(pacer.pending).toBe(2);
    await v.advance(2_000);
    await Promise.all([a, c]);
    expect(order).toEqual([1, 3]);
    expect(v.t.clock - 1_700_000_000_000).toBe(2000);
  });

  it('rejects at once, taking nothing, when the signal was already aborted', async () => {
    const { pacer } = setup();
    const stop = new AbortController();
    stop.abort('SIGINT');
    await expect(pacer.acquire(10, stop.signal)).rejects.toBeInstanceOf(InterruptedError);
    expect(pacer.tokens).toBe(100);
  });

  it('takes back a refund, not above the bucket, and lets a waiter go sooner', async () => {
    const { v, pacer } = setup();
    await pacer.acquire(100);
    const waiter = track(pacer.acquire(20));
    await v.advance(500);
    expect(waiter.settled).toBe(false);
    pacer.refund(15);
    await v.flush();
    expect(waiter.value).toBe(500);
    pacer.refund(500);
    expect(pacer.tokens).toBe(100);
  });

  it('corrects by what the server charged (x-ms-resource-unit)', async () => {
    const { pacer } = setup();
    await pacer.acquire(50);
    pacer.charged(2, 5);
    expect(pacer.tokens).toBe(47);
    pacer.charged(5, 1);
    expect(pacer.tokens).toBe(51);
  });
});

describe('BudgetPacer: learning the budget', () => {
  const tiers = [3500, 5000, 8000];

  it('lowers the tokens to what x-ms-throttle-limit-percentage says the server holds, never raises them', async () => {
    const { pacer } = setup({ tiers, target: 0.95 });
    await pacer.acquire(6000); // 1,600 left; the server says 0.85 used: 8,000 × 0.15 = 1,200 held
    pacer.usage(0.85);
    expect(pacer.tokens).toBeCloseTo(1200);
    pacer.usage(0.8); // 1,600 held: the answer lags requests in flight, so the model keeps 1,200
    expect(pacer.tokens).toBeCloseTo(1200);
    pacer.usage(1.02); // over the budget: the server is 160 in debt
    expect(pacer.tokens).toBeCloseTo(-160);
    expect(pacer.snapshot()).toMatchObject({ capacity: 8000, stepDowns: 0 });
  });

  it('steps down a tier when the usage is far off (more than a quarter of the capacity)', async () => {
    const { pacer } = setup({ tiers, target: 0.95 });
    await pacer.acquire(2800); // a 3,500 budget would be 0.8 used; the model still has 4,800
    pacer.usage(0.8); // 8,000 × 0.2 = 1,600: off by 3,200 > 2,000
    expect(pacer.snapshot()).toMatchObject({ capacity: 5000, stepDowns: 1 });
    expect(pacer.tokens).toBeCloseTo(1000); // the same 0.8 of the new capacity
    // A 5,000 model now off by 1,000 (< 1,250) only corrects the tokens.
    pacer.usage(1);
    expect(pacer.snapshot()).toMatchObject({ capacity: 5000, stepDowns: 1 });
    expect(pacer.tokens).toBeCloseTo(0);
  });

  it('measures the budget from what the answers between two readings were charged, not from what was sent meanwhile', async () => {
    const { v, pacer } = setup({ tiers, target: 0.95 });
    // 6,560 RU charged (0.82 of 8,000), and 3,000 more sent that are still in flight.
    await pacer.acquire(9560);
    pacer.answered(6560);
    pacer.usage(0.82);
    await v.advance(2000);
    // In 2 s an 8,000 budget refills 1,600: answers charged 1,700 and usage rose from 0.82 to 0.83:
    // 1,700 / (0.2 + 0.01) = 8,095, the budget is 8,000.
    pacer.answered(1700);
    pacer.usage(0.83);
    expect(pacer.snapshot()).toMatchObject({ capacity: 8000, stepDowns: 0 });
    await v.advance(2000);
    // Then 1,000 charged in 2 s with the usage unchanged: 1,000 / 0.2 = 5,000.
    pacer.answered(1000);
    pacer.usage(0.83);
    expect(pacer.snapshot()).toMatchObject({ capacity: 5000, stepDowns: 1 });
  });

  it('goes into a debt that a 429 Retry-After pays off, without stepping down when there was no room', async () => {
    const { v, pacer } = setup({ tiers, target: 0.95 });
    await pacer.acquire(7600 - 500); // 500 left, under a tenth of the 7,600 bucket
    pacer.throttled(2000);
    // 7,600 per 10 s = 0.76 per ms: 2,000 ms of refill.
    expect(pacer.snapshot()).toMatchObject({ capacity: 8000, tokens: -1520, stepDowns: 0 });
    const next = track(pacer.acquire(0));
    await v.advance(1999);
    expect(next.settled).toBe(false);
    await v.advance(1);
    expect(next.value).toBe(2000);
  });

  it('keeps a deeper debt than the Retry-After asks for', async () => {
    const { pacer } = setup({ tiers, target: 0.95 });
    await pacer.acquire(7600 + 3000);
    pacer.throttled(1000);
    expect(pacer.tokens).toBe(-3000);
  });

  it('steps down a tier on a 429 when the model believed it had room', async () => {
    const { pacer } = setup({ tiers, target: 0.95 });
    await pacer.acquire(1000); // 6,600 left
    pacer.throttled(1000);
    // 5,000 × 0.95 per 10 s = 0.475 per ms, 1,000 ms of refill.
    expect(pacer.snapshot()).toMatchObject({ capacity: 5000, tokens: -475, stepDowns: 1 });
  });

  it('steps down when small corrections add up to a tier too high, but not for noise', async () => {
    const overestimate = async (pacer: BudgetPacer, v: ReturnType<typeof virtualTime>, perTick: number, ms: number) => {
      for (let i = 0; i < ms / 100; i++) {
        await v.advance(100);
        pacer.usage(1 - (pacer.tokens - perTick) / pacer.capacity);
      }
    };
    const wrong = setup({ tiers: [3500, 5000], target: 0.95 });
    // 3,500 paced as 5,000 × 0.95: 1,250 RU per window too many, 12.5 per 100 ms.
    await overestimate(wrong.pacer, wrong.v, 12.5, 15_000);
    expect(wrong.pacer.capacity).toBe(3500);
    const noisy = setup({ tiers: [3500, 5000], target: 0.95 });
    // 2 per 100 ms is 200 per window, within the tolerated 5% (250) of 5,000.
    await overestimate(noisy.pacer, noisy.v, 2, 60_000);
    expect(noisy.pacer.capacity).toBe(5000);
  });

  it('counts a long Retry-After for at most a tenth of the bucket', async () => {
    const { pacer } = setup({ tiers, target: 0.95 });
    await pacer.acquire(7600);
    pacer.throttled(150_000);
    expect(pacer.capacity).toBe(8000);
  });

  it('steps below the lowest tier by 30% at a time, down to the floor, and never up', async () => {
    const { v, pacer } = setup({ tiers: [100], floor: 40 });
    const capacities: number[] = [];
    for (let i = 0; i < 5; i++) {
      pacer.throttled(0); // each time with a full bucket: room it did not have
      capacities.push(pacer.capacity);
      await v.advance(60_000);
    }
    expect(capacities.map((c) => Math.round(c * 10) / 10)).toEqual([70, 49, 40, 40, 40]);
    expect(pacer.snapshot().stepDowns).toBe(3);
  });

  it('has a floor of a quarter of the lowest tier by default', async () => {
    const { v, pacer } = setup({ tiers: [100, 200] });
    for (let i = 0; i < 10; i++) {
      pacer.throttled(0);
      await v.advance(60_000);
    }
    expect(pacer.capacity).toBe(25);
  });

  it('learns a 3,500 budget from an 8,000 start against the simulated server, with few 429s', async () => {
    const v = virtualTime();
    const server = new RuBudget(v.now, 3500);
    const pacer = new BudgetPacer({ tiers, now: v.now, sleep: v.sleep });
    const refusedAt: number[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        await pacer.acquire(2);
        const answer = server.take(2, '/users');
        await v.sleep(40);
        // As Pacing.observe does: the charge first (refused requests are charged too), then the rest.
        pacer.answered(answer.charged);
        if (!answer.ok) {
          refusedAt.push(v.t.clock);
          pacer.throttled(Number(answer.retryAfter) * 1000);
        } else if (answer.usage > 0.8) pacer.usage(answer.usage);
      }
    };
    const workers = Array.from({ length: 32 }, worker);
    const start = v.t.clock;
    await v.advance(20_000);
    const usedBefore = server.used;
    await v.advance(20_000);
    stop = true;
    expect(pacer.capacity).toBe(3500);
    expect(refusedAt.length).toBeLessThan(500);
    // Learned within 20 s; then no 429 and 95% of the budget.
    expect(refusedAt.filter((at) => at > start + 20_000)).toEqual([]);
    expect((server.used - usedBefore) / 2).toBeCloseTo(3500 * 0.95, -2);
    void workers;
  });
});
