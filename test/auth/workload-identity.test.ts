import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { planCredential } from '../../src/auth/create-credential.js';
import { createTokenSource } from '../../src/auth/create-token-source.js';
import { describeError } from '../../src/cli/handle-error.js';
import { CLOUDS } from '../../src/config/clouds.js';
import type { Config } from '../../src/config/config.js';
import { AuthError } from '../../src/errors/index.js';
import { createSimTokenIssuer } from '../../src/sim/login/federated-issuer.js';
import { createLoginSim } from '../../src/sim/login/login-sim.js';
import type { SimHandler } from '../../src/sim/sim-http.js';
import { simHandlers } from '../support/msw-sim.js';

/**
 * ENTRA_AUTH=workload-identity through @azure/identity's WorkloadIdentityCredential against the
 * simulated login service: a Kubernetes-style service account token in a file is exchanged for a Graph
 * token through the app's federated identity credential.
 */
const TENANT = '11111111-1111-1111-1111-111111111111';
const APP = '22222222-2222-2222-2222-222222222222';
const LOGIN = 'https://login.sim.test';
const GRAPH = 'https://graph.sim.test';
const K8S = 'https://oidc.k8s.sim.test/cluster-1/';
const SUBJECT = 'system:serviceaccount:entra:entra-extract';

const issuer = createSimTokenIssuer(K8S);
const otherCluster = createSimTokenIssuer('https://oidc.k8s.sim.test/cluster-2/');
const dir = mkdtempSync(join(tmpdir(), 'entra-wi-'));

function makeSim(tokenLifetimeSeconds = 3599) {
  return createLoginSim({
    tenants: [{ id: TENANT, apps: [{ clientId: APP, federatedCredentials: [{ name: 'aks', issuer: K8S, subject: SUBJECT }], roles: ['User.Read.All'] }] }],
    federatedIssuers: [issuer, otherCluster],
    tokenLifetimeSeconds,
  });
}

let sim = makeSim();
const seen: string[] = [];
/** The client_assertion of every token request, in order. */
const assertions: string[] = [];
const handle: SimHandler = (req) => {
  seen.push(`${req.method} ${req.url.origin}${req.url.pathname}`);
  const assertion = req.method === 'POST' ? new URLSearchParams(req.body).get('client_assertion') : null;
  if (assertion) assertions.push(assertion);
  return sim.handle(req);
};
const server = setupServer(...simHandlers(handle, [LOGIN]));
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
  seen.length = 0;
  assertions.length = 0;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
function tokenFile(content: string): string {
  const path = join(dir, `azure-identity-token-${++files}`);
  writeFileSync(path, content);
  return path;
}
function config(federatedTokenFile: string, overrides: Partial<Config> = {}): Config {
  return {
    tenantId: TENANT,
    clientId: APP,
    auth: { method: 'workload-identity', federatedTokenFile },
    cloud: 'global',
    authorityHost: LOGIN,
    graphEndpoint: GRAPH,
    dbPath: ':memory:',
    ...overrides,
  };
}
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

async function authError(p: Promise<unknown>): Promise<AuthError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AuthError);
  return err as AuthError;
}

/** Nothing a person or a log sees of the error holds the token, or its signature. */
function expectNoToken(e: AuthError, token: string): void {
  const signature = token.split('.')[2]!;
  for (const text of [e.message, e.suggestion ?? '', JSON.stringify(describeError(e)), inspect(e, { depth: 20 })]) {
    expect(text).not.toContain(token);
    expect(text).not.toContain(signature);
  }
}

describe('workload identity against the simulated login service', () => {
  it('exchanges the token in AZURE_FEDERATED_TOKEN_FILE for a Graph token of the app', async () => {
    sim = makeSim();
    const k8sToken = issuer.mint({ subject: SUBJECT });
    const source = createTokenSource(config(tokenFile(`${k8sToken}\n`)));
    const token = await source.getToken();
    expect(claimsOf(token)).toMatchObject({ aud: GRAPH, tid: TENANT, appid: APP, appidacr: '2', roles: ['User.Read.All'] });
    expect(sim.verifyBearer(`Bearer ${token}`, GRAPH).ok).toBe(true);
    expect(seen).toEqual([`GET ${LOGIN}/${TENANT}/v2.0/.well-known/openid-configuration`, `POST ${LOGIN}/${TENANT}/oauth2/v2.0/token`]);
    expect(assertions).toEqual([k8sToken]);
    expect(await source.getToken()).toBe(token);
    expect(source.stats.tokenRequests).toBe(1);
  });

  it('a rotated token file is read again once the credential\'s copy is 5 minutes old', async () => {
    // Only Date is faked: @azure/identity's readFileContents compares Date.now() with the time it read
    // the file, MSAL its cached token's expiry, the simulation its tokens' exp. 2-minute Graph tokens.
    const t0 = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(t0);
    sim = makeSim(120);
    const first = issuer.mint({ subject: SUBJECT, now: t0 });
    const path = tokenFile(first);
    const source = createTokenSource(config(path));
    await source.getToken();
    expect(assertions).toEqual([first]);

    // The kubelet rotates the projected token.
    const second = issuer.mint({ subject: SUBJECT, now: t0 + 60_000 });
    writeFileSync(path, second);
    // 100 s later our token is due (refresh at 3/4 of its life) and MSAL's is too (5-minute renewal
    // offset): a new token request, but the credential still sends the copy it read 100 s ago.
    vi.setSystemTime(t0 + 100_000);
    await source.getToken();
    expect(assertions).toEqual([first, first]);

    // Past 5 minutes the credential reads the file again.
    vi.setSystemTime(t0 + 301_000);
    const token = await source.getToken();
    expect(assertions).toEqual([first, first, second]);
    expect(sim.verifyBearer(`Bearer ${token}`, GRAPH).ok).toBe(true);
    expect(source.stats.tokenRequests).toBe(3);
  });

  it('invalidate() after a refused token builds a new credential, which reads the file at once', async () => {
    sim = makeSim();
    const first = issuer.mint({ subject: SUBJECT });
    const path = tokenFile(first);
    const source = createTokenSource(config(path));
    const refused = await source.getToken();
    const second = issuer.mint({ subject: SUBJECT });
    writeFileSync(path, second);
    sim.revokeAll();
    source.invalidate();
    const token = await source.getToken();
    expect(token).not.toBe(refused);
    expect(assertions).toEqual([first, second]);
    expect(sim.verifyBearer(`Bearer ${token}`, GRAPH).ok).toBe(true);
  });

  it.each([
    ['a wrong subject', () => issuer.mint({ subject: 'system:serviceaccount:default:default' }), 'AUTH_FEDERATED_CREDENTIAL_MISMATCH', /^AADSTS700213: app 22222222-.* has no federated credential for the subject of the token .*subject system:serviceaccount:default:default/],
    ['a subject differing in case', () => issuer.mint({ subject: 'system:serviceaccount:Entra:entra-extract' }), 'AUTH_FEDERATED_CREDENTIAL_MISMATCH', /^AADSTS7002138: .*case-sensitive/],
    ['another cluster (issuer)', () => otherCluster.mint({ subject: SUBJECT }), 'AUTH_FEDERATED_CREDENTIAL_MISMATCH', /^AADSTS700211: .*for the issuer of the token .*issuer https:\/\/oidc\.k8s\.sim\.test\/cluster-2\//],
    ['another audience', () => issuer.mint({ subject: SUBJECT, audience: 'api://other' }), 'AUTH_FEDERATED_CREDENTIAL_MISMATCH', /^AADSTS700212: .*audience api:\/\/other/],
    ['an expired token', () => issuer.mint({ subject: SUBJECT, now: Date.now() - 2 * 3600_000, lifetimeSeconds: 3600 }), 'AUTH_FEDERATED_TOKEN_EXPIRED', /^AADSTS700024: the token in AZURE_FEDERATED_TOKEN_FILE .* is outside its valid time range \(the token now in the file expires \d{4}-/],
    ['a forged token', () => createSimTokenIssuer(K8S).mint({ subject: SUBJECT }), 'AUTH_FEDERATED_TOKEN_INVALID', /^AADSTS700027: /],
  ])('%s → explained AuthError, without the token', async (_name, mint, code, message) => {
    sim = makeSim();
    const k8sToken = mint();
    const path = tokenFile(k8sToken);
    const e = await authError(createTokenSource(config(path)).getToken());
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.message).toContain(path);
    expect(e.suggestion).toMatch(/Federated credentials|projected|token/);
    expect(e.request).toBe(`POST ${LOGIN}/${TENANT}/oauth2/v2.0/token`);
    expectNoToken(e, k8sToken);
  });

  it('a token file removed after the configuration was read → AUTH_FEDERATED_TOKEN_UNREADABLE naming the path', async () => {
    sim = makeSim();
    const path = tokenFile(issuer.mint({ subject: SUBJECT }));
    const source = createTokenSource(config(path));
    rmSync(path);
    const e = await authError(source.getToken());
    expect(e.code).toBe('AUTH_FEDERATED_TOKEN_UNREADABLE');
    expect(e.message).toBe(`AZURE_FEDERATED_TOKEN_FILE ${path} cannot be used (ENOENT).`);
    expect(seen).toEqual([]);
  });

  it('the credential gets the authority host, instance discovery and the login proxy route like the others', () => {
    const path = join(dir, 'token');
    const env = { HTTPS_PROXY: 'http://proxy.corp:3128' };
    expect(planCredential(config(path), env)).toEqual({
      kind: 'workload-identity',
      tenantId: TENANT,
      clientId: APP,
      tokenFilePath: path,
      options: { authorityHost: LOGIN, disableInstanceDiscovery: true, proxyOptions: { host: 'http://proxy.corp', port: 3128 } },
    });
    const usgov = planCredential(config(path, { cloud: 'usgov', authorityHost: CLOUDS.usgov.authorityHost }), {});
    expect(usgov).toMatchObject({ options: { authorityHost: 'https://login.microsoftonline.us', disableInstanceDiscovery: false } });
    expect(() => planCredential(config(path, { clientId: undefined }), {})).toThrow(/AZURE_CLIENT_ID is not set \(required for ENTRA_AUTH=workload-identity\)/);
  });
});
