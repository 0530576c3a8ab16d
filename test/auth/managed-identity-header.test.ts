import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createTokenSource } from '../../src/auth/create-token-source.js';
import { AuthError } from '../../src/errors/index.js';
import { createLoginSim } from '../../src/sim/login/login-sim.js';
import { simHandlers } from '../support/msw-sim.js';

// A file of its own: msal-node reads IDENTITY_ENDPOINT / IDENTITY_HEADER once per process and keeps
// managed identity tokens in a static cache, so this cannot share a module context with a good login.
const TENANT = '11111111-1111-1111-1111-111111111111';
const MI_CLIENT = '44444444-4444-4444-4444-444444444444';
const sim = createLoginSim({ tenants: [], managedIdentity: { identityHeader: 'right-header', tenantId: TENANT, clientId: MI_CLIENT, roles: [] } });
const server = setupServer(...simHandlers(sim.handle, ['http://127.0.0.1:41741']));
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => {
  server.close();
  vi.unstubAllEnvs();
});

it('managed identity with a wrong X-IDENTITY-HEADER is refused → AuthError without the header value', async () => {
  vi.stubEnv('IDENTITY_ENDPOINT', 'http://127.0.0.1:41741/MSI/token/');
  vi.stubEnv('IDENTITY_HEADER', 'wrong-header');
  const source = createTokenSource({
    tenantId: TENANT,
    clientId: MI_CLIENT,
    auth: { method: 'managed-identity' },
    cloud: 'global',
    authorityHost: 'https://login.microsoftonline.com',
    graphEndpoint: 'https://graph.sim.test',
    dbPath: ':memory:',
  });
  const err = await source.getToken().then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AuthError);
  expect((err as AuthError).code).toBe('AUTH_MANAGED_IDENTITY_UNAVAILABLE');
  expect((err as AuthError).message).not.toContain('wrong-header');
  expect(sim.stats.failures).toBe(1);
});
