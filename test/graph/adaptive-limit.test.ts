import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from '../../src/graph/adaptive-limit.js';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A task that runs until finish() or fail() is called; records how many ran at once. */
function gate() {
  const seen = { running: 0, max: 0, started: 0 };
  const open: { finish(): void; fail(err: Error): void }[] = [];
  const task = () =>
    new Promise<string>((resolve, reject) => {
      seen.started++;
      seen.running++;
      seen.max = Math.max(seen.max, seen.running);
      open.push({
        finish: () => {
          seen.running--;
          resolve('done');
        },
        fail: (err) => {
          seen.running--;
          reject(err);
        },
      });
    });
  return { seen, open, task };
}

function clock() {
  const t = { now: 1_700_000_000_000 };
  return { t, now: () => t.now };
}

describe('AdaptiveLimit', () => {
  it('starts at min(4, max) and runs no more than the limit at once, in FIFO order', async () => {
    expect(new AdaptiveLimit(2).limit).toBe(2);
    const limit = new AdaptiveLimit(10);
    expect(limit.limit).toBe(4);
    const order: number[] = [];
    const { seen, open, task } = gate();
    const all = Array.from({ length: 10 }, (_, i) => limit.run(() => (order.push(i), task())));
    await flush();
    expect([limit.active, limit.pending, seen.running]).toEqual([4, 6, 4]);
    while (open.length > 0) {
      open.shift()!.finish();
      await flush();
    }
    await Promise.all(all);
    expect(seen.max).toBe(4);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([limit.active, limit.pending]).toEqual([0, 0]);
  });

  it('starts bulk tasks only when no other task waits: a task queued after them goes first', async () => {
    const limit = new AdaptiveLimit(1);
    const order: string[] = [];
    const { open, task } = gate();
    const all = [
      limit.run(() => (order.push('running'), task())),
      limit.run(() => (order.push('bulk 1'), task()), true),
      limit.run(() => (order.push('bulk 2'), task()), true),
      limit.run(() => (order.push('page 1'), task())),
      limit.run(() => (order.push('page 2'), task())),
    ];
    await flush();
    expect(limit.pending).toBe(4);
    while (open.length > 0) {
      open.shift()!.finish();
      await flush();
    }
    await Promise.all(all);
    expect(order).toEqual(['running', 'page 1', 'page 2', 'bulk 1', 'bulk 2']);
  });

  it('settles with the task: its value, or its error, and frees the slot either way', async () => {
    const limit = new AdaptiveLimit(1, { initial: 1 });
    const failing = limit.run(async () => {
      throw new Error('boom');
    });
    const throwingSync = limit.run((() => {
      throw new Error('sync boom');
    }) as () => Promise<never>);
    const after = limit.run(async () => 42);
    await expect(failing).rejects.toThrow('boom');
    await expect(throwingSync).rejects.toThrow('sync boom');
    await expect(after).resolves.toBe(42);
    expect(limit.active).toBe(0);
  });

  it('counts a task as finished before its caller hears the outcome', async () => {
    const limit = new AdaptiveLimit(2);
    await limit.run(async () => undefined);
    expect(limit.active).toBe(0);
  });

  it('grows by one after as many successes as the limit, up to max', () => {
    const limit = new AdaptiveLimit(6, { initial: 2 });
    limit.succeeded();
    expect(limit.limit).toBe(2);
    limit.succeeded();
    expect(limit.limit).toBe(3);
    for (let i = 0; i < 3; i++) limit.succeeded();
    expect(limit.limit).toBe(4);
    for (let i = 0; i < 100; i++) limit.succeeded();
    expect(limit.limit).toBe(6);
  });

  it('starts queued tasks when the limit grows', async () => {
    const limit = new AdaptiveLimit(4, { initial: 1 });
    const { seen, open, task } = gate();
    const all = Array.from({ length: 3 }, () => limit.run(task));
    await flush();
    expect(seen.running).toBe(1);
    limit.succeeded(); // 1 success at limit 1: limit 2
    await flush();
    expect(seen.running).toBe(2);
    open.forEach((o) => o.finish());
    await flush();
    open.slice(2).forEach((o) => o.finish());
    await Promise.all(all);
  });

  it('halves on throttling, not below 1, at most once per cooldown', () => {
    const c = clock();
    const limit = new AdaptiveLimit(32, { initial: 32, cooldownMs: 1000, now: c.now });
    // A $batch whose 20 items were all throttled: one halving.
    for (let i = 0; i < 20; i++) limit.throttled();
    expect(limit.limit).toBe(16);
    c.t.now += 999;
    limit.throttled();
    expect(limit.limit).toBe(16);
    c.t.now += 1;
    limit.throttled();
    expect(limit.limit).toBe(8);
    for (let i = 0; i < 10; i++) {
      c.t.now += 1000;
      limit.throttled();
    }
    expect(limit.limit).toBe(1);
  });

  it('restarts the count of successes after a halving', () => {
    const c = clock();
    const limit = new AdaptiveLimit(16, { initial: 8, now: c.now });
    for (let i = 0; i < 7; i++) limit.succeeded();
    limit.throttled(); // 4
    for (let i = 0; i < 3; i++) limit.succeeded();
    expect(limit.limit).toBe(4);
    limit.succeeded();
    expect(limit.limit).toBe(5);
  });

  it('lowering the limit lets running tasks finish and starts fewer until under it', async () => {
    const limit = new AdaptiveLimit(8, { initial: 8 });
    const { seen, open, task } = gate();
    const all = Promise.allSettled(Array.from({ length: 12 }, () => limit.run(task)));
    await flush();
    expect(seen.running).toBe(8);
    limit.throttled(); // 4, with 8 running
    expect([limit.limit, limit.active]).toEqual([4, 8]);
    for (let i = 0; i < 4; i++) open[i]!.finish();
    await flush();
    // 4 still run: at the limit, nothing new started.
    expect([seen.running, seen.started, limit.pending]).toEqual([4, 8, 4]);
    open[4]!.fail(new Error('throttled'));
    await flush();
    expect([seen.running, seen.started]).toEqual([4, 9]);
    for (let i = 5; i < open.length; i++) open[i]!.finish();
    await flush();
    for (let i = 9; i < open.length; i++) open[i]!.finish();
    await flush();
    const settled = await all;
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(1);
    expect([limit.active, limit.pending]).toEqual([0, 0]);
  });

  it('never runs more than the limit while it moves', async () => {
    const c = clock();
    const limit = new AdaptiveLimit(16, { initial: 4, cooldownMs: 50, now: c.now });
    let running = 0;
    let over = 0;
    let peak = 0;
    const tasks = Array.from({ length: 400 }, (_, i) =>
      limit.run(async () => {
        // Started only while fewer than the limit ran.
        if (running >= limit.limit) over++;
        running++;
        peak = Math.max(peak, running);
        await flush();
        running--;
        c.t.now += 7;
        if (i % 37 === 0) limit.throttled();
        else limit.succeeded();
      }),
    );
    await Promise.all(tasks);
    expect(over).toBe(0);
    expect(peak).toBeGreaterThan(4);
    expect(peak).toBeLessThanOrEqual(16);
    expect([limit.active, limit.pending]).toEqual([0, 0]);
  });

  it('refuses a max that is not a positive integer', () => {
    expect(() => new AdaptiveLimit(0)).toThrow(RangeError);
    expect(() => new AdaptiveLimit(2.5)).toThrow(RangeError);
  });
});
