import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { runPull } from '../../src/pull/run-pull.js';
import { createSimWorld, SECRET, type SimWorld } from '../support/sim-world.js';
import { databaseBytes, dbFile, fastRetry, pullChain } from '../support/integration-helpers.js';

/** Secrets never reach the database: neither the client secret nor any access token. */
let world: SimWorld;
afterEach(() => world?.close());

/** Header.payload of a JWT: two base64url JSON objects, both starting '{"' → 'eyJ'. */
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}/;

describe('secrets stay out of the database', () => {
  it('after successful, failing and wrong-secret pulls the database files hold no secret and no token', async () => {
    world = createSimWorld({ graph: { userPageUnits: [10, 30], groupPageUnits: [20, 120] } });
    const path = dbFile();
    // Every bearer token Graph saw.
    const tokens = new Set<string>();
    let revokeFrom = Infinity;
    world.intercept((req, n) => {
      const auth = req.headers.get('authorization');
      if (auth) tokens.add(auth.replace(/^Bearer\s+/i, ''));
      if (n >= revokeFrom) world.login.revokeAll();
    });

    expect((await pullChain(world, path)).outcome).toBe('success');
    world.tenant.randomChanges(0.05, 17);
    // A failure in the middle of a run (errors are written to the ledger).
    world.graph.faults.add({ path: /\/groups\/delta/, status: 503, times: 20 });
    expect((await pullChain(world, path, { retry: { ...fastRetry, maxRetries: 1 } })).outcome).toBe('partial');
    world.graph.faults.clear();
    // Tokens rejected by Graph (AUTH_REJECTED in the ledger).
    revokeFrom = world.graph.requests.length + 1;
    expect((await pullChain(world, path)).outcome).toBe('failed');
    revokeFrom = Infinity;
    // A wrong secret (AUTH_INVALID_SECRET in the ledger).
    const wrong = 'another-Wrong~secret.value-4711';
    const bad = loadConfig({ env: { ...world.env, AZURE_CLIENT_SECRET: wrong, ENTRA_DB: path }, cwd: '/', require: 'credentials' });
    await expect(runPull({ config: bad, retry: fastRetry })).rejects.toMatchObject({ code: 'AUTH_INVALID_SECRET' });

    expect(tokens.size).toBeGreaterThanOrEqual(2);
    const bytes = databaseBytes(path);
    expect(bytes.length).toBeGreaterThan(10_000);
    // The search itself works: the database does hold the data it should.
    expect(bytes).toContain(world.tenant.users.values().next().value!.id);
    expect(bytes.includes(SECRET)).toBe(false);
    expect(bytes.includes(wrong)).toBe(false);
    for (const token of tokens) {
      expect(bytes.includes(token)).toBe(false);
      // Any recognisable part of it (its signature) either.
      expect(bytes.includes(token.split('.')[2]!)).toBe(false);
    }
    expect(JWT_SHAPE.test(bytes)).toBe(false);
  });
});
