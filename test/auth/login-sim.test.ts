import { describe, expect, it } from 'vitest';
import { createLoginSim } from '../../src/sim/login/login-sim.js';
import { createSimTokenIssuer, TOKEN_EXCHANGE_AUDIENCE } from '../../src/sim/login/federated-issuer.js';
import type { SimResponse } from '../../src/sim/sim-http.js';

const TENANT = '11111111-1111-1111-1111-111111111111';
const CLIENT = '22222222-2222-2222-2222-222222222222';
const ORIGIN = 'https://login.sim.test';

function makeSim(now = () => Date.now()) {
  return createLoginSim({
    tenants: [
      {
        id: TENANT,
        domains: ['contoso.sim.test'],
        apps: [
          { clientId: CLIENT, secrets: [{ value: 'good' }, { value: 'old', expired: true }], roles: ['User.Read.All'] },
          { clientId: '33333333-3333-3333-3333-333333333333', secrets: [{ value: 'x' }], roles: [] },
        ],
      },
    ],
    tokenLifetimeSeconds: 60,
    now,
  });
}

async function post(sim: ReturnType<typeof createLoginSim>, tenant: string, form: Record<string, string>) {
  const res = (await sim.handle({
    method: 'POST',
    url: new URL(`${ORIGIN}/${tenant}/oauth2/v2.0/token`),
    headers: new Headers({ 'content-type': 'application/x-www-form-urlencoded' }),
    body: new URLSearchParams(form).toString(),
  })) as SimResponse;
  return { status: res.status, body: JSON.parse(res.body ?? '{}') as Record<string, unknown> };
}

const ok = { grant_type: 'client_credentials', client_id: CLIENT, client_secret: 'good', scope: 'https://graph.sim.test/.default' };

describe('login simulation', () => {
  it('issues a JWT-shaped token with aud, tid, appid, roles and exp', async () => {
    const sim = makeSim();
    const { status, body } = await post(sim, 'contoso.sim.test', ok);
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 60, ext_expires_in: 60 });
    const token = body.access_token as string;
    expect(token.split('.')).toHaveLength(3);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ aud: 'https://graph.sim.test', tid: TENANT, appid: CLIENT, azp: CLIENT, roles: ['User.Read.All'] });
    expect(claims.exp - claims.iat).toBeGreaterThanOrEqual(60);
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(61);
    expect(typeof claims.oid).toBe('string');
    const v = sim.verifyBearer(`Bearer ${token}`, 'https://graph.sim.test');
    expect(v).toEqual({ ok: true, claims: { tid: TENANT, appid: CLIENT, roles: ['User.Read.All'], aud: 'https://graph.sim.test', exp: claims.exp } });
    expect(sim.stats).toEqual({ tokenRequests: 1, tokensIssued: 1, failures: 0 });
  });

  it('omits roles entirely when nothing is granted', async () => {
    const { body } = await post(makeSim(), TENANT, { ...ok, client_id: '33333333-3333-3333-3333-333333333333', client_secret: 'x' });
    const claims = JSON.parse(Buffer.from((body.access_token as string).split('.')[1]!, 'base64url').toString());
    expect('roles' in claims).toBe(false);
  });

  it.each([
    ['wrong secret', TENANT, { ...ok, client_secret: 'bad' }, 401, 'invalid_client', 7000215],
    ['expired secret', TENANT, { ...ok, client_secret: 'old' }, 401, 'invalid_client', 7000222],
    ['unknown tenant', 'fabrikam.sim.test', ok, 400, 'invalid_request', 90002],
    ['unknown client', TENANT, { ...ok, client_id: '99999999-9999-9999-9999-999999999999' }, 400, 'unauthorized_client', 700016],
    ['two scopes', TENANT, { ...ok, scope: 'https://graph.sim.test/.default https://other.sim.test/.default' }, 400, 'invalid_scope', 70011],
    ['not .default', TENANT, { ...ok, scope: 'https://graph.sim.test/User.Read' }, 400, 'invalid_scope', 70011],
    ['bad assertion', TENANT, { grant_type: 'client_credentials', client_id: CLIENT, scope: ok.scope, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln' }, 401, 'invalid_client', 700027],
  ])('%s → AAD error shape', async (_name, tenant, form, status, error, code) => {
    const sim = makeSim();
    const res = await post(sim, tenant, form);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error, error_codes: [code] });
    expect(res.body.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
    for (const k of ['timestamp', 'trace_id', 'correlation_id']) expect(typeof res.body[k]).toBe('string');
    expect(sim.stats.failures).toBe(1);
  });

  it('verifyBearer checks format, audience, expiry and revocation', async () => {
    let t = Date.now();
    const sim = makeSim(() => t);
    const token = (await post(sim, TENANT, ok)).body.access_token as string;
    expect(sim.verifyBearer(null, 'https://graph.sim.test')).toMatchObject({ ok: false, status: 401, code: 'InvalidAuthenticationToken' });
    expect(sim.verifyBearer('Bearer abc', 'https://graph.sim.test')).toMatchObject({ ok: false, message: /CompactToken/ });
    expect(sim.verifyBearer(`Bearer ${token}x`, 'https://graph.sim.test')).toMatchObject({ ok: false, message: /validation failure/ });
    expect(sim.verifyBearer(`Bearer ${token}`, 'https://graph.other.test')).toMatchObject({ ok: false, message: /audience/ });
    expect(sim.verifyBearer(`Bearer ${token}`, 'https://graph.sim.test/').ok).toBe(true);
    t += 61_000;
    expect(sim.verifyBearer(`Bearer ${token}`, 'https://graph.sim.test')).toMatchObject({ ok: false, message: /expired/ });
    const fresh = (await post(sim, TENANT, ok)).body.access_token as string;
    expect(sim.verifyBearer(`Bearer ${fresh}`, 'https://graph.sim.test').ok).toBe(true);
    sim.revokeAll();
    expect(sim.verifyBearer(`Bearer ${fresh}`, 'https://graph.sim.test').ok).toBe(false);
  });

  it('serves OpenID metadata on the request origin and ignores other paths', async () => {
    const sim = makeSim();
    const res = (await sim.handle({ method: 'GET', url: new URL(`https://login.other.test:8443/contoso.sim.test/v2.0/.well-known/openid-configuration`), headers: new Headers(), body: '' })) as SimResponse;
    const meta = JSON.parse(res.body!);
    expect(meta.token_endpoint).toBe(`https://login.other.test:8443/${TENANT}/oauth2/v2.0/token`);
    expect(meta.issuer).toBe(`https://login.other.test:8443/${TENANT}/v2.0`);
    expect(meta.authorization_endpoint).toBe(`https://login.other.test:8443/${TENANT}/oauth2/v2.0/authorize`);
    expect(await sim.handle({ method: 'GET', url: new URL(`${ORIGIN}/v1.0/users`), headers: new Headers(), body: '' })).toBeUndefined();
  });
});

describe('login simulation: federated credentials (workload identity)', () => {
  const K8S = 'https://oidc.k8s.sim.test/3f1c2b4a/';
  const SUBJECT = 'system:serviceaccount:entra:entra-extract';
  const issuer = createSimTokenIssuer(K8S);
  const stranger = createSimTokenIssuer('https://token.actions.githubusercontent.com');
  const forger = createSimTokenIssuer(K8S); // same issuer URL, another key
  const unknownKey = createSimTokenIssuer('https://oidc.unreachable.sim.test/');

  function fedSim(now = () => Date.now()) {
    return createLoginSim({
      tenants: [{
        id: TENANT,
        apps: [
          {
            clientId: CLIENT,
            federatedCredentials: [
              { name: 'aks', issuer: K8S, subject: SUBJECT },
              { name: 'unreachable', issuer: unknownKey.issuer, subject: SUBJECT },
            ],
            roles: ['User.Read.All'],
          },
          // An app with only a secret: a stranger's assertion gets the certificate answer, as before.
          { clientId: '33333333-3333-3333-3333-333333333333', secrets: [{ value: 'x' }], roles: [] },
        ],
      }],
      federatedIssuers: [issuer, stranger],
      now,
    });
  }
  const assertionForm = (assertion: string, clientId = CLIENT) => ({
    grant_type: 'client_credentials',
    client_id: clientId,
    scope: 'https://graph.sim.test/.default',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  });

  it('exchanges a token of a trusted issuer, subject and audience for an app token', async () => {
    const sim = fedSim();
    const res = await post(sim, TENANT, assertionForm(issuer.mint({ subject: SUBJECT })));
    expect(res.status).toBe(200);
    const claims = JSON.parse(Buffer.from((res.body.access_token as string).split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ aud: 'https://graph.sim.test', tid: TENANT, appid: CLIENT, appidacr: '2', roles: ['User.Read.All'] });
    // The default audience, as a string as well as in an array.
    expect((await post(sim, TENANT, assertionForm(issuer.mint({ subject: SUBJECT, audience: TOKEN_EXCHANGE_AUDIENCE })))).status).toBe(200);
  });

  it.each([
    ['an issuer with no federated credential', () => stranger.mint({ subject: SUBJECT }), 400, 700211, /assertion issuer 'https:\/\/token\.actions\.githubusercontent\.com'/],
    ['a wrong subject', () => issuer.mint({ subject: 'system:serviceaccount:default:default' }), 400, 700213, /assertion subject 'system:serviceaccount:default:default'/],
    ['a subject differing in case', () => issuer.mint({ subject: SUBJECT.toUpperCase() }), 400, 7002138, /case-insensitive comparison, but not with case-sensitive/],
    ['another audience', () => issuer.mint({ subject: SUBJECT, audience: 'api://AzureADTokenExchangeChina' }), 400, 700212, /assertion audience 'api:\/\/AzureADTokenExchangeChina'/],
    ['an expired token', () => issuer.mint({ subject: SUBJECT, now: Date.now() - 2 * 3600_000 }), 401, 700024, /not within its valid time range/],
    ['a token not valid yet', () => issuer.mint({ subject: SUBJECT, now: Date.now() + 3600_000 }), 401, 700024, /not within its valid time range/],
    ['a forged signature', () => forger.mint({ subject: SUBJECT }), 401, 700027, /signature validation/],
    ['an issuer whose keys cannot be fetched', () => unknownKey.mint({ subject: SUBJECT }), 400, 50166, /External OIDC endpoint failed/],
  ])('%s → AADSTS error', async (_name, mint, status, code, description) => {
    const sim = fedSim();
    const res = await post(sim, TENANT, assertionForm(mint()));
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: 'invalid_client', error_codes: [code] });
    expect(res.body.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
    expect(res.body.error_description).toMatch(description);
    expect(sim.stats.failures).toBe(1);
  });

  it('an app without federated credentials answers a stranger\'s assertion as before (certificate check)', async () => {
    const res = await post(fedSim(), TENANT, assertionForm(unknownKey.mint({ subject: SUBJECT }), '33333333-3333-3333-3333-333333333333'));
    expect(res.body).toMatchObject({ error_codes: [700027] });
  });
});
