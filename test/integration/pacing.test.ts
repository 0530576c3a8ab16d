import { afterEach, describe, expect, it } from 'vitest';
import { createSimWorld, type SimWorld } from '../support/sim-world.js';
import { dbFile, expectTruth, pull } from '../support/integration-helpers.js';

/**
 * The transport paces requests by the identity budget it learns from Graph's answers (issue 13).
 * Time is scaled down ten times: a budget window of 1 s instead of 10 s, and budgets of a tenth of
 * Graph's documented 3,500 / 5,000 / 8,000, so the test sees the same dynamics in a tenth of the time.
 */
let world: SimWorld | undefined;
afterEach(() => world?.close());

const SCALED_TIERS = [350, 500, 800];
const WINDOW_MS = 1000;

describe('pacing by the learned budget', () => {
  it('a budget smaller than assumed: a few 429s, the budget learned, never a request inside a Retry-After window', async () => {
    world = createSimWorld({
      tenant: { users: 200, groups: 400, memberships: 2400 },
      profile: { latencyMs: 2, rowLatencyMs: 0, ruBudget: 350, ruWindowMs: WINDOW_MS, reportsLimit: false },
    });
    const path = dbFile();
    const summary = await pull(world, path, { pacing: { identityBudgets: SCALED_TIERS, windowMs: WINDOW_MS }, concurrency: 16 });
    expect(summary.outcome).toBe('success');
    const stats = world.profile!.stats();
    // The tenant's budget (350) is below the one the pacer starts from (800): Graph says so with 429s ...
    expect(stats.ruRefused).toBeGreaterThan(0);
    // ... which the pacer learns from: it paces at the smallest tier, ...
    expect(summary.pacing!.identity.capacity).toBe(350);
    // ... the 429s come while it learns, in the first window after the first one (how many depends on
    // how long that 429 takes to come back: time is scaled tenfold here, the latency and a busy
    // machine's event loop are not); after that window, next to none ...
    const budget = world.profile!.budget!;
    const learned = budget.refusedAt[0]! + WINDOW_MS;
    const served = budget.servedAt.filter((at) => at > learned).length;
    const refused = budget.refusedAt.filter((at) => at > learned).length;
    expect(served).toBeGreaterThan(300);
    expect(refused / (served + refused)).toBeLessThan(0.02);
    // ... and nothing is ever sent inside a window a Retry-After announced once the client has it.
    expect(stats.violations).toBe(0);
    // The run used the budget: about the RU it needed in about that many windows, not many more.
    const ideal = (stats.ruUsed - 350) / 350 * WINDOW_MS;
    expect(summary.durationMs).toBeLessThan(ideal * 2 + 2000);
    expectTruth(path, world.tenant);
  });

  it('a budget as large as assumed: no 429 at all', async () => {
    world = createSimWorld({
      tenant: { users: 200, groups: 400, memberships: 2400 },
      profile: { latencyMs: 2, rowLatencyMs: 0, ruBudget: 800, ruWindowMs: WINDOW_MS, reportsLimit: false },
    });
    const path = dbFile();
    const summary = await pull(world, path, { pacing: { identityBudgets: SCALED_TIERS, windowMs: WINDOW_MS }, concurrency: 16 });
    expect(summary.outcome).toBe('success');
    const stats = world.profile!.stats();
    expect(stats.ruUsed).toBeGreaterThan(800);
    expect(stats.throttled).toBe(0);
    expect(summary.pacing!.identity.capacity).toBe(800);
    expectTruth(path, world.tenant);
  });
});
