import { afterEach, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/errors/index.js';
import { loadConfig } from '../../src/config/index.js';
import { runPull } from '../../src/pull/run-pull.js';
import { createSimWorld, SECRET, type SimWorld } from '../support/sim-world.js';
import { dbFile, expectTruth, fastRetry, pullChain, readDb } from '../support/integration-helpers.js';

/**
 * Authentication during a run: renewal ahead of expiry, one fresh token after a 401, a token that
 * stays rejected, and a wrong secret.
 */
let world: SimWorld;
afterEach(() => world?.close());

/** Small pages: a couple of dozen requests per pull. */
const smallPages = { userPageUnits: [10, 30] as [number, number], groupPageUnits: [20, 120] as [number, number] };

describe('token lifetime during a long run', () => {
  it('renews a 2-second token before it expires: no 401 at all', async () => {
    world = createSimWorld({ tokenLifetimeSeconds: 2, graph: smallPages });
    const path = dbFile();
    // Slow the pull down past the token's lifetime.
    world.graph.throttle.set({ every: 3, retryAfter: 'decimal', seconds: 0.4 });
    // How close to its expiry (the token's own exp claim) each request's token was.
    let minRemainingMs = Infinity;
    world.intercept((req) => {
      const jwt = req.headers.get('authorization')!.replace(/^Bearer\s+/i, '');
      const exp = (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number }).exp;
      minRemainingMs = Math.min(minRemainingMs, exp * 1000 - Date.now());
    });
    const r = await pullChain(world, path);
    expect(r.outcome).toBe('success');
    expect(r.endedMs - r.startedMs).toBeGreaterThan(2_000);
    expect(world.login.stats.tokenRequests).toBeGreaterThanOrEqual(2);
    expect(world.graph.requests.filter((q) => q.status === 401)).toEqual([]);
    // Renewed ahead of expiry (a quarter of the lifetime, at least 375 ms here), not at the last moment.
    expect(minRemainingMs).toBeGreaterThan(250);
    expectTruth(path, world.tenant);
  }, 20_000);
});

describe('Graph rejects the token in the middle of a run', () => {
  it('after a revocation: exactly one 401, one fresh token, and the pull succeeds', async () => {
    world = createSimWorld({ graph: smallPages });
    const path = dbFile();
    world.intercept((_req, n) => {
      if (n === 6) world.login.revokeAll();
    });
    // One request at a time, so exactly one request carries the revoked token.
    const r = await pullChain(world, path, { concurrency: 1 });
    expect(r.outcome).toBe('success');
    const rejected = world.graph.requests.filter((q) => q.status === 401);
    expect(rejected).toHaveLength(1);
    // The very next request went out with the new token and was accepted.
    const i = world.graph.requests.findIndex((q) => q.status === 401);
    expect(world.graph.requests[i + 1]!.status).toBe(200);
    expect(world.login.stats.tokenRequests).toBe(2);
    expectTruth(path, world.tenant);
  });

  it('after a revocation with requests in flight: every 401 is retried once and the pull succeeds', async () => {
    world = createSimWorld({ graph: smallPages });
    const path = dbFile();
    world.intercept((_req, n) => {
      if (n === 6) world.login.revokeAll();
    });
    const r = await pullChain(world, path, { concurrency: 4 });
    expect(r.outcome).toBe('success');
    const rejected = world.graph.requests.filter((q) => q.status === 401).length;
    expect(rejected).toBeGreaterThanOrEqual(1);
    expect(rejected).toBeLessThanOrEqual(4);
    expectTruth(path, world.tenant);
  });

  it('a token that stays rejected fails the run with AUTH_REJECTED', async () => {
    world = createSimWorld({ graph: smallPages });
    const path = dbFile();
    // Every Graph request rolls the signing key: no token ever verifies.
    world.intercept(() => world.login.revokeAll());
    const r = await pullChain(world, path);
    expect(r.outcome).toBe('failed');
    expect(r.errors).toHaveLength(2);
    for (const { error } of r.errors) {
      expect(error).toBeInstanceOf(AuthError);
      expect((error as AuthError).code).toBe('AUTH_REJECTED');
    }
    // One refresh and one retry per request, then stop: no loop on 401.
    const rejected = world.graph.requests.filter((q) => q.status === 401).length;
    expect(rejected).toBeLessThanOrEqual(4);
    expect(world.graph.requests.every((q) => q.status === 401)).toBe(true);
    const run = readDb(path, (db) => db.prepare('SELECT outcome FROM runs WHERE id = ?').get(r.runId)) as { outcome: string };
    expect(run.outcome).toBe('failed');
  });
});

describe('wrong client secret', () => {
  it('rejects with AUTH_INVALID_SECRET, records a failed run, and never shows the secret', async () => {
    world = createSimWorld();
    const path = dbFile();
    const wrong = 'wrong-Secret~Value.that-must-not-leak-987';
    const config = loadConfig({ env: { ...world.env, AZURE_CLIENT_SECRET: wrong, ENTRA_DB: path }, cwd: '/', require: 'credentials' });
    const error = await runPull({ config, retry: fastRetry }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthError);
    const e = error as AuthError;
    expect(e.code).toBe('AUTH_INVALID_SECRET');
    for (const text of [e.message, e.suggestion ?? '', e.request ?? '', String(e.stack)]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(SECRET);
    }
    expect(world.graph.requests).toEqual([]);
    const runs = readDb(path, (db) => db.prepare('SELECT outcome, error, ended_at FROM runs').all()) as { outcome: string; error: string; ended_at: string }[];
    expect(runs).toHaveLength(1);
    expect(runs[0]!.outcome).toBe('failed');
    expect(runs[0]!.ended_at).not.toBeNull();
    expect(runs[0]!.error).toMatch(/AADSTS7000215/);
    expect(runs[0]!.error).not.toContain(wrong);
  });
});
