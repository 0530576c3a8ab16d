import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTokenSource } from '../../src/auth/create-token-source.js';
import { createSecret } from '../../src/config/secret.js';
import type { Config } from '../../src/config/config.js';
import { AuthError } from '../../src/errors/index.js';
import { createLoginSim } from '../../src/sim/login/login-sim.js';
import type { SimHandler } from '../../src/sim/sim-http.js';
import { simHandlers } from '../support/msw-sim.js';
import { makeCertificate } from './certs.js';

const TENANT = '11111111-1111-1111-1111-111111111111';
const APP = '22222222-2222-2222-2222-222222222222';
const CERT_APP = '33333333-3333-3333-3333-333333333333';
const MI_CLIENT = '44444444-4444-4444-4444-444444444444';
const SECRET = 'Sup3r~Secret.Value_xyz';
const LOGIN = 'https://login.sim.test';
const GRAPH = 'https://graph.sim.test';
const MI_ORIGIN = 'http://127.0.0.1:41741';

const cert = makeCertificate();
const otherCert = makeCertificate('not-registered');
const dir = mkdtempSync(join(tmpdir(), 'entra-auth-'));
const pemPath = join(dir, 'app.pem');
const pfxPath = join(dir, 'app.pfx');
const otherPemPath = join(dir, 'other.pem');
writeFileSync(pemPath, cert.keyPem + cert.certPem);
writeFileSync(pfxPath, cert.pfx('pfx-pass'));
writeFileSync(otherPemPath, otherCert.keyPem + otherCert.certPem);

function makeSim(tokenLifetimeSeconds = 3599) {
  return createLoginSim({
    tenants: [
      {
        id: TENANT,
        domains: ['contoso.sim.test'],
        apps: [
          { clientId: APP, secrets: [{ value: SECRET }, { value: 'expired-one', expired: true }], roles: ['User.Read.All', 'Group.Read.All'] },
          { clientId: CERT_APP, certificates: [cert.certPem], roles: ['Directory.Read.All'] },
        ],
      },
    ],
    tokenLifetimeSeconds,
    managedIdentity: { identityHeader: 'mi-header-value', tenantId: TENANT, clientId: MI_CLIENT, roles: ['AuditLog.Read.All'] },
  });
}

let sim = makeSim();
const seen: string[] = [];
const handle: SimHandler = (req) => {
  seen.push(`${req.method} ${req.url.origin}${req.url.pathname}`);
  return sim.handle(req);
};
const server = setupServer(...simHandlers(handle, [LOGIN, MI_ORIGIN]));
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  vi.unstubAllEnvs();
  seen.length = 0;
});
afterAll(() => server.close());

function config(auth: Config['auth'], overrides: Partial<Config> = {}): Config {
  return { tenantId: TENANT, clientId: APP, auth, cloud: 'global', authorityHost: LOGIN, graphEndpoint: GRAPH, dbPath: ':memory:', ...overrides };
}
const secretConfig = (secret = SECRET, o: Partial<Config> = {}) => config({ method: 'secret', clientSecret: createSecret(secret) }, o);
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

async function authError(p: Promise<unknown>): Promise<AuthError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AuthError);
  return err as AuthError;
}

describe('createTokenSource against the simulated login service', () => {
  it('ClientSecretCredential gets a token for <graph>/.default with the right aud and roles', async () => {
    sim = makeSim();
    const source = createTokenSource(secretConfig());
    const token = await source.getToken();
    expect(claimsOf(token)).toMatchObject({ aud: GRAPH, tid: TENANT, appid: APP, roles: ['User.Read.All', 'Group.Read.All'] });
    expect(sim.verifyBearer(`Bearer ${token}`, GRAPH).ok).toBe(true);
    // What MSAL asks for with disableInstanceDiscovery: the tenant's OpenID metadata, then the token.
    expect(seen).toEqual([`GET ${LOGIN}/${TENANT}/v2.0/.well-known/openid-configuration`, `POST ${LOGIN}/${TENANT}/oauth2/v2.0/token`]);
    expect(await source.getToken()).toBe(token);
    expect(source.stats.tokenRequests).toBe(1);
  });

  it('accepts a tenant domain instead of the GUID', async () => {
    sim = makeSim();
    const token = await createTokenSource(secretConfig(SECRET, { tenantId: 'contoso.sim.test' })).getToken();
    expect(claimsOf(token).tid).toBe(TENANT);
  });

  it('certificate credential with a PEM file (key + cert)', async () => {
    sim = makeSim();
    const token = await createTokenSource(config({ method: 'certificate', certificatePath: pemPath }, { clientId: CERT_APP })).getToken();
    expect(claimsOf(token)).toMatchObject({ aud: GRAPH, appid: CERT_APP, roles: ['Directory.Read.All'], appidacr: '2' });
  });

  it('certificate credential with a password-protected PFX', async () => {
    sim = makeSim();
    const source = createTokenSource(
      config({ method: 'certificate', certificatePath: pfxPath, certificatePassword: createSecret('pfx-pass') }, { clientId: CERT_APP }),
    );
    expect(claimsOf(await source.getToken()).appid).toBe(CERT_APP);
  });

  it('a PFX with the wrong password, a missing file or a garbage file fail naming the path', () => {
    const wrong = () =>
      createTokenSource(config({ method: 'certificate', certificatePath: pfxPath, certificatePassword: createSecret('nope-pass') }, { clientId: CERT_APP }));
    expect(wrong).toThrow(AuthError);
    expect(wrong).toThrow(/app\.pfx.*AZURE_CLIENT_CERTIFICATE_PASSWORD/);
    try {
      wrong();
    } catch (e) {
      expect((e as AuthError).code).toBe('AUTH_INVALID_CERTIFICATE');
      expect((e as Error).message).not.toContain('nope-pass');
    }
    expect(() => createTokenSource(config({ method: 'certificate', certificatePath: join(dir, 'missing.pem') }))).toThrow(/missing\.pem cannot be read/);
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'hello');
    expect(() => createTokenSource(config({ method: 'certificate', certificatePath: junk }))).toThrow(/junk\.pem is neither PEM nor a valid PFX/);
    const certOnly = join(dir, 'cert-only.pem');
    writeFileSync(certOnly, cert.certPem);
    expect(() => createTokenSource(config({ method: 'certificate', certificatePath: certOnly }))).toThrow(/no private key/);
  });

  it('an unregistered certificate → AUTH_INVALID_CERTIFICATE (AADSTS700027)', async () => {
    sim = makeSim();
    const e = await authError(createTokenSource(config({ method: 'certificate', certificatePath: otherPemPath }, { clientId: CERT_APP })).getToken());
    expect(e.code).toBe('AUTH_INVALID_CERTIFICATE');
    expect(e.message).toMatch(/AADSTS700027/);
  });

  it('managed identity through the App Service endpoint (user-assigned client id)', async () => {
    sim = makeSim();
    vi.stubEnv('IDENTITY_ENDPOINT', `${MI_ORIGIN}/MSI/token/`);
    vi.stubEnv('IDENTITY_HEADER', 'mi-header-value');
    const token = await createTokenSource(config({ method: 'managed-identity' }, { clientId: MI_CLIENT })).getToken();
    expect(claimsOf(token)).toMatchObject({ aud: GRAPH, appid: MI_CLIENT, roles: ['AuditLog.Read.All'] });
    expect(seen).toEqual([`GET ${MI_ORIGIN}/MSI/token/`]);
  });

  it('managed identity: invalidate() after a refused token gets a new one from the identity endpoint, not from msal-node\'s shared cache', async () => {
    sim = makeSim();
    vi.stubEnv('IDENTITY_ENDPOINT', `${MI_ORIGIN}/MSI/token/`);
    vi.stubEnv('IDENTITY_HEADER', 'mi-header-value');
    const source = createTokenSource(config({ method: 'managed-identity' }, { clientId: MI_CLIENT }));
    const first = await source.getToken();
    sim.revokeAll();
    const before = seen.length;
    source.invalidate();
    const second = await source.getToken();
    expect(second).not.toBe(first);
    expect(seen.length).toBe(before + 1);
    expect(sim.verifyBearer(`Bearer ${second}`, GRAPH).ok).toBe(true);
    // and the ordinary path afterwards serves the refreshed token from the cache
    source.invalidate();
    expect(await source.getToken()).not.toBe(first);
  });

  it.each([
    ['wrong secret', secretConfig('wrong-secret-value'), 'AUTH_INVALID_SECRET', /not valid for app 22222222-.*copy the secret Value, not its ID/],
    ['expired secret', secretConfig('expired-one'), 'AUTH_EXPIRED_SECRET', /AADSTS7000222/],
    ['unknown tenant', secretConfig(SECRET, { tenantId: '99999999-9999-9999-9999-999999999999' }), 'AUTH_UNKNOWN_TENANT', /Tenant 99999999-.* could not be resolved/],
    ['unknown app', secretConfig(SECRET, { clientId: '55555555-5555-5555-5555-555555555555' }), 'AUTH_APP_NOT_FOUND', /AADSTS700016/],
  ])('%s → %s, without the secret in the message', async (_name, cfg, code, message) => {
    sim = makeSim();
    const e = await authError(createTokenSource(cfg).getToken());
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.suggestion).toBeTruthy();
    for (const s of [SECRET, 'wrong-secret-value', 'expired-one']) {
      expect(e.message).not.toContain(s);
      expect(e.suggestion).not.toContain(s);
    }
  });

  it('refreshes ahead of expiry without ever sending an expired token', async () => {
    sim = makeSim(2); // 2 s tokens → refresh margin 0.5 s
    const source = createTokenSource(secretConfig());
    const first = await source.getToken();
    expect(await source.getToken()).toBe(first);
    expect(source.stats.tokenRequests).toBe(1);
    await new Promise((r) => setTimeout(r, 1900));
    expect(sim.verifyBearer(`Bearer ${first}`, GRAPH).ok).toBe(true); // still valid, but inside the margin
    const second = await source.getToken();
    expect(second).not.toBe(first);
    expect(source.stats.tokenRequests).toBe(2);
    expect(sim.verifyBearer(`Bearer ${second}`, GRAPH).ok).toBe(true);
  });

  it('invalidate() forces a request that bypasses every cache (ours and MSAL\'s)', async () => {
    sim = makeSim();
    const source = createTokenSource(secretConfig());
    const first = await source.getToken();
    sim.revokeAll();
    expect(sim.verifyBearer(`Bearer ${first}`, GRAPH).ok).toBe(false);
    const before = sim.stats.tokenRequests;
    source.invalidate();
    const second = await source.getToken();
    expect(second).not.toBe(first);
    expect(sim.stats.tokenRequests).toBe(before + 1);
    expect(source.stats.tokenRequests).toBe(2);
    expect(sim.verifyBearer(`Bearer ${second}`, GRAPH).ok).toBe(true);
  });

  it('concurrent getToken() calls share one request', async () => {
    sim = makeSim();
    const source = createTokenSource(secretConfig());
    const tokens = await Promise.all(Array.from({ length: 10 }, () => source.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(source.stats.tokenRequests).toBe(1);
    expect(sim.stats.tokenRequests).toBe(1);
  });
});
