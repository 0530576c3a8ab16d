import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { createTokenSource } from '../../src/auth/create-token-source.js';
import { planCredential } from '../../src/auth/create-credential.js';
import { createSecret } from '../../src/config/secret.js';
import type { Config } from '../../src/config/config.js';
import { CLOUDS } from '../../src/config/clouds.js';

const base: Config = {
  tenantId: '11111111-1111-1111-1111-111111111111',
  clientId: '22222222-2222-2222-2222-222222222222',
  auth: { method: 'secret', clientSecret: createSecret('s') },
  cloud: 'global',
  authorityHost: CLOUDS.global.authorityHost,
  graphEndpoint: CLOUDS.global.graphEndpoint,
  dbPath: ':memory:',
};

/** A fake credential on a fake clock: each getToken issues token-N valid for `lifetimeMs`. */
function fakeCredentials(clock: { t: number }, lifetimeMs: number) {
  let n = 0;
  const created: string[][] = [];
  const factory = (): TokenCredential => {
    const scopes: string[] = [];
    created.push(scopes);
    return {
      async getToken(scope: string | string[]): Promise<AccessToken> {
        scopes.push(String(scope));
        return { token: `token-${++n}`, expiresOnTimestamp: clock.t + lifetimeMs };
      },
    };
  };
  return { factory, created };
}

describe('token caching (fake clock)', () => {
  it('refreshes at min(5 min, lifetime/4) before expiry, for the <graph>/.default scope', async () => {
    const clock = { t: 1_000_000 };
    const { factory, created } = fakeCredentials(clock, 3_600_000);
    const source = createTokenSource(base, { now: () => clock.t, credentialFactory: factory });
    expect(await source.getToken()).toBe('token-1');
    clock.t += 3_600_000 - 300_001; // just before the 5-minute margin
    expect(await source.getToken()).toBe('token-1');
    clock.t += 2;
    expect(await source.getToken()).toBe('token-2');
    expect(source.stats.tokenRequests).toBe(2);
    expect(created).toEqual([['https://graph.microsoft.com/.default', 'https://graph.microsoft.com/.default']]);
  });

  it('a short-lived token is refreshed at three quarters of its life; the margin is an option', async () => {
    const clock = { t: 0 };
    const { factory } = fakeCredentials(clock, 4_000);
    const source = createTokenSource(base, { now: () => clock.t, credentialFactory: factory });
    await source.getToken();
    clock.t = 2_999;
    expect(await source.getToken()).toBe('token-1');
    clock.t = 3_000;
    expect(await source.getToken()).toBe('token-2');

    const fixed = createTokenSource(base, { now: () => clock.t, credentialFactory: fakeCredentials(clock, 4_000).factory, refreshMarginMs: 100 });
    await fixed.getToken();
    clock.t += 3_899;
    expect(await fixed.getToken()).toBe('token-1');
  });

  it('invalidate() drops the token and builds a new credential', async () => {
    const clock = { t: 0 };
    const { factory, created } = fakeCredentials(clock, 3_600_000);
    const source = createTokenSource(base, { now: () => clock.t, credentialFactory: factory });
    await source.getToken();
    source.invalidate();
    expect(await source.getToken()).toBe('token-2');
    expect(created).toHaveLength(2);
  });

  it('concurrent callers share one in-flight request; a failure is not cached', async () => {
    let calls = 0;
    let fail = true;
    const source = createTokenSource(base, {
      credentialFactory: () => ({
        async getToken() {
          calls++;
          await new Promise((r) => setTimeout(r, 10));
          if (fail) throw new Error('AADSTS7000215: Invalid client secret provided.');
          return { token: 'ok', expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      }),
    });
    const results = await Promise.allSettled([source.getToken(), source.getToken(), source.getToken()]);
    expect(results.every((r) => r.status === 'rejected' && (r.reason as { code: string }).code === 'AUTH_INVALID_SECRET')).toBe(true);
    expect(calls).toBe(1);
    fail = false;
    expect(await source.getToken()).toBe('ok');
    expect(calls).toBe(2);
  });
});

describe('credential options (no network)', () => {
  it.each(Object.entries(CLOUDS))('%s keeps instance discovery on', (_cloud, hosts) => {
    const plan = planCredential({ ...base, authorityHost: hosts.authorityHost, graphEndpoint: hosts.graphEndpoint });
    expect(plan).toMatchObject({ kind: 'secret', options: { authorityHost: hosts.authorityHost, disableInstanceDiscovery: false } });
  });

  it('a non-Microsoft login host turns instance discovery off', () => {
    expect(planCredential({ ...base, authorityHost: 'https://login.sim.test' })).toMatchObject({
      options: { authorityHost: 'https://login.sim.test', disableInstanceDiscovery: true },
    });
  });

  it('managed identity passes the user-assigned client id, or none', () => {
    expect(planCredential({ ...base, auth: { method: 'managed-identity' } })).toEqual({ kind: 'managed-identity', clientId: base.clientId });
    const { clientId: _omit, ...system } = base;
    expect(planCredential({ ...system, auth: { method: 'managed-identity' } })).toEqual({ kind: 'managed-identity' });
  });
});
