import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONNECTORS } from '../../connectors/index.js';
import type { CheckReport } from '../../src/check/index.js';
import { createCheckWorld, FULL_ROLES, runCheckCli, SECRET, type CheckWorld } from './check-world.js';
import { makeCertificate } from '../auth/certs.js';

let world: CheckWorld | undefined;
afterEach(() => {
  world?.close();
  world = undefined;
});

/** Nothing secret in what was printed: the client secret, any access token Graph received, any JWT. */
function expectNoSecrets(w: CheckWorld, ...outputs: string[]): void {
  const text = outputs.join('\n');
  expect(text).not.toContain(SECRET);
  for (const header of w.authHeaders) expect(text).not.toContain(header.replace(/^Bearer\s+/i, ''));
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
}

describe('entra-extract check (the command)', () => {
  it('everything granted: exit 0, a readable table with the setup and the token roles; nothing written to disk, nothing secret printed', async () => {
    world = createCheckWorld({ roles: FULL_ROLES });
    const r1 = await runCheckCli([], { ...world.env, ENTRA_DB: 'data/entra.db' });
    expect(r1.exit).toBe(0);
    const out = r1.stdout;
    expect(out).toMatch(/^entra-extract check: OK, all 12 collections checked can be pulled \(exit 0/);
    expect(out).toMatch(/Tenant +3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b/);
    expect(out).toMatch(/Application +9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d \(service principal [0-9a-f-]{36}\)/);
    expect(out).toMatch(/Cloud +global/);
    expect(out).toMatch(/Graph host +https:\/\/graph.sim.test/);
    expect(out).toMatch(/Login host +https:\/\/login.sim.test/);
    expect(out).toMatch(/Credential +client secret/);
    expect(out).toMatch(/Token roles +AdministrativeUnit.Read.All, Application.Read.All, AuditLog.Read.All, Directory.Read.All/);
    for (const c of CONNECTORS) expect(out).toMatch(new RegExp(`^ok +${c.name} +${c.permission.replace(/\./g, '\\.')}`, 'm'));
    expect(out).toMatch(/GroupMember.Read.All or higher: Group.Read.All, Group.ReadWrite.All/);
    // The full round's listing requests, under their collection, with Graph's answer.
    expect(out).toMatch(/^ +full round: GET \/groups\?\$select=.+&\$top=1  ok$/m);
    expect(out).toMatch(/^ +full round: GET \/groups\/[0-9a-f-]{36}\/owners\?\$select=id&\$top=1  ok$/m);
    expect(out).toMatch(/Recommended permissions/);
    // No database: the working folder (where ENTRA_DB points) is as empty as it was.
    expect(readdirSync(r1.cwd)).toEqual([]);
    // --db is accepted like every command takes it, and still nothing is created.
    const r2 = await runCheckCli(['--db', 'other.db'], world.env);
    expect(r2.exit).toBe(0);
    expect(readdirSync(r2.cwd)).toEqual([]);
    expect(r1.stderr).toBe('');
    expectNoSecrets(world, r1.stdout, r1.stderr);
  });

  it('--json prints one object: token facts, a row per collection, extra permissions, recommendation, fix', async () => {
    world = createCheckWorld({ roles: FULL_ROLES.filter((p) => p !== 'AuditLog.Read.All') });
    const r = await runCheckCli(['--json'], world.env);
    expect(r.exit).toBe(4);
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(report).toMatchObject({ ok: false, outcome: 'cannot-pull', setup: { cloud: 'global', credential: 'secret' }, token: { acquired: true, hasRolesClaim: true } });
    expect(report.collections).toHaveLength(12);
    expect(report.collections.filter((c) => c.verdict === 'failed').map((c) => c.collection)).toEqual(['signInActivity']);
    // signIns also accepts the Directory.Read.All the app holds (its connector says so).
    expect(report.collections.find((c) => c.collection === 'signIns')!.needs[0]!.grantedBy).toBe('Directory.Read.All');
    expect(report.recommendation!.permissions.map((p) => [p.permission, p.held])).toEqual([['Directory.Read.All', true], ['AuditLog.Read.All', false]]);
    expect(report.fix!.grant.map((g) => [g.permission, g.id, g.for])).toEqual([['AuditLog.Read.All', 'b0afded3-3588-46d8-8b3d-9842eff778da', ['signInActivity']]]);
    expect(report.extra).toEqual({ notNeeded: [], write: [] });
    expectNoSecrets(world, r.stdout, r.stderr);
  });

  it('a permission missing: exit 4, the failing row, and how to fix it (portal path and az commands with the id)', async () => {
    world = createCheckWorld({ roles: FULL_ROLES.filter((p) => p !== 'AdministrativeUnit.Read.All' && p !== 'Directory.Read.All') });
    const r = await runCheckCli(['--only', 'users,administrativeUnits'], world.env);
    expect(r.exit).toBe(4);
    expect(r.stdout).toMatch(/^entra-extract check: 1 of 2 collections cannot be pulled \(exit 4/);
    expect(r.stdout).toMatch(/^FAIL +administrativeUnits +AdministrativeUnit.Read.All +- +forbidden: 403 Authorization_RequestDenied/m);
    expect(r.stdout).toMatch(/App registrations > All applications > 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d > API permissions > Add a permission > Microsoft Graph > Application permissions > AdministrativeUnit.Read.All > Add permissions/);
    expect(r.stdout).toMatch(/Grant admin consent/);
    expect(r.stdout).toContain('az ad app permission add --id 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d --api 00000003-0000-0000-c000-000000000000 --api-permissions 134fd756-38ce-4afd-ba33-e9623dbe66c2=Role   # AdministrativeUnit.Read.All');
    expect(r.stdout).toContain('az ad app permission admin-consent --id 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d');
    expectNoSecrets(world, r.stdout, r.stderr);
  });

  it('a wrong secret: exit 1, explained with its AADSTS code, the secret never printed', async () => {
    world = createCheckWorld();
    const r = await runCheckCli([], { ...world.env, AZURE_CLIENT_SECRET: 'not-the-secret-value' });
    expect(r.exit).toBe(1);
    expect(r.stdout).toMatch(/no access token could be had \(exit 1\)/);
    expect(r.stdout).toMatch(/No token: AADSTS7000215: the client secret is not valid for app 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d; copy the secret Value, not its ID/);
    expect(r.stdout).toMatch(/what to do: .*Certificates & secrets/);
    expect(r.stdout).toMatch(/code: AUTH_INVALID_SECRET/);
    expect(r.stdout).not.toContain('not-the-secret-value');
    expectNoSecrets(world, r.stdout, r.stderr);
    const json = await runCheckCli(['--json'], { ...world.env, AZURE_CLIENT_SECRET: 'not-the-secret-value' });
    expect(json.exit).toBe(1);
    const report = JSON.parse(json.stdout) as CheckReport;
    expect(report).toMatchObject({ ok: false, outcome: 'no-token', token: { acquired: false, error: { code: 'AUTH_INVALID_SECRET' } }, collections: [] });
    expect(json.stdout).not.toContain('not-the-secret-value');
  });

  it('an expired secret: exit 1, says it expired', async () => {
    world = createCheckWorld({ secrets: [{ value: SECRET, expired: true }] });
    const r = await runCheckCli([], world.env);
    expect(r.exit).toBe(1);
    expect(r.stdout).toMatch(/No token: AADSTS7000222: the client secret of app 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d has expired/);
    expect(r.stdout).toMatch(/what to do: Create a new secret/);
    expectNoSecrets(world, r.stdout, r.stderr);
  });

  it('an unknown tenant, and an app that does not exist there: exit 1, explained', async () => {
    world = createCheckWorld();
    const tenant = await runCheckCli(['--json'], { ...world.env, AZURE_TENANT_ID: '11111111-2222-4333-8444-555555555555' });
    expect(tenant.exit).toBe(1);
    const t = JSON.parse(tenant.stdout) as CheckReport;
    expect(t.token).toMatchObject({ acquired: false, error: { code: 'AUTH_UNKNOWN_TENANT' } });
    expect(t.token.acquired === false && t.token.error.suggestion).toMatch(/AZURE_TENANT_ID .* ENTRA_CLOUD/);
    const app = await runCheckCli([], { ...world.env, AZURE_CLIENT_ID: '99999999-8888-4777-8666-555555555555' });
    expect(app.exit).toBe(1);
    expect(app.stdout).toMatch(/AADSTS700016: no application with client id 99999999-8888-4777-8666-555555555555/);
  });

  it('a certificate that was never uploaded to the app: exit 1, explained with its AADSTS code', async () => {
    world = createCheckWorld();
    const cert = makeCertificate('not-uploaded');
    const path = join(mkdtempSync(join(tmpdir(), 'ee-check-cert-')), 'app.pem');
    writeFileSync(path, cert.keyPem + cert.certPem);
    const { AZURE_CLIENT_SECRET: _s, ...env } = world.env;
    const r = await runCheckCli([], { ...env, AZURE_CLIENT_CERTIFICATE_PATH: path });
    expect(r.exit).toBe(1);
    expect(r.stdout).toMatch(/Credential +certificate \(/);
    expect(r.stdout).toMatch(/No token: AADSTS700027: the client certificate assertion for app 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d was rejected/);
    expect(r.stdout).toMatch(/what to do: Upload the certificate/);
    expect(r.stdout).not.toContain('PRIVATE KEY');
  });

  it('--only limits the collections; an unknown one is a usage error (exit 2) before anything is sent', async () => {
    world = createCheckWorld({ roles: FULL_ROLES });
    const ok = await runCheckCli(['--only', 'users,groups', '--json'], world.env);
    expect(ok.exit).toBe(0);
    expect((JSON.parse(ok.stdout) as CheckReport).collections.map((c) => c.collection)).toEqual(['users', 'groups']);
    const requests = world.graph.requests.length;
    const bad = await runCheckCli(['--only', 'users,gropus'], world.env);
    expect(bad.exit).toBe(2);
    expect(bad.stderr).toMatch(/Unknown collection "gropus"/);
    expect(bad.stderr).toMatch(/Collections are: users, groups/);
    expect(world.graph.requests.length).toBe(requests);
    expect(world.login.stats.tokenRequests).toBe(1);
  });

  it('missing configuration is exit 1, naming the variable', async () => {
    const r = await runCheckCli([], { AZURE_CLIENT_ID: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d', AZURE_CLIENT_SECRET: 'x' });
    expect(r.exit).toBe(1);
    expect(r.stderr).toMatch(/AZURE_TENANT_ID/);
  });

  it('--help teaches what it checks, the exit codes, and examples', async () => {
    const r = await runCheckCli(['--help'], {});
    expect(r.exit).toBe(0);
    expect(r.stdout).toMatch(/Usage: entra-extract check \[options\]/);
    expect(r.stdout).toMatch(/Examples:\n +\$ entra-extract check /);
    expect(r.stdout).toMatch(/What it checks:/);
    expect(r.stdout).toMatch(/Exit codes:\n +0 +every checked collection can be pulled.*\n(.*\n)* +1 +no token.*\n +2 +usage error.*\n +4 +a required permission is missing or a probe failed/);
    expect(r.stdout).toMatch(/--only <collections>/);
    expect(r.stdout).toMatch(/--json/);
  });

  it('a national cloud (ENTRA_CLOUD=usgov): its Graph and login hosts, and the fix sets the Azure CLI cloud', async () => {
    world = createCheckWorld({
      roles: FULL_ROLES.filter((p) => p !== 'AuditLog.Read.All'),
      graphOrigin: 'https://graph.microsoft.us',
      loginOrigin: 'https://login.microsoftonline.us',
    });
    const { GRAPH_ENDPOINT: _g, AZURE_AUTHORITY_HOST: _a, ...env } = world.env;
    const r = await runCheckCli(['--json', '--only', 'users,signInActivity'], { ...env, ENTRA_CLOUD: 'usgov' });
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(report.setup).toMatchObject({ cloud: 'usgov', graphEndpoint: 'https://graph.microsoft.us', authorityHost: 'https://login.microsoftonline.us' });
    expect(r.exit).toBe(4);
    expect(report.collections.map((c) => [c.collection, c.verdict])).toEqual([['users', 'ok'], ['signInActivity', 'failed']]);
    expect(report.fix!.commands[0]).toBe('az cloud set --name AzureUSGovernment   # this tenant is in the usgov cloud');
    expect(report.fix!.portal[0]).toMatch(/https:\/\/portal.azure.us/);
    expect(world.graph.requests.every((q) => q.hasAuthorization)).toBe(true);
  });
});

describe('custom hosts (GRAPH_ENDPOINT, AZURE_AUTHORITY_HOST)', () => {
  it('are the ones shown and probed', async () => {
    world = createCheckWorld({ roles: FULL_ROLES, graphOrigin: 'https://graph.contoso-sovereign.example', loginOrigin: 'https://login.contoso-sovereign.example' });
    const r = await runCheckCli(['--json', '--only', 'groups'], world.env);
    expect(r.exit).toBe(0);
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(report.setup).toMatchObject({ graphEndpoint: 'https://graph.contoso-sovereign.example', authorityHost: 'https://login.contoso-sovereign.example' });
    const paths = world.graph.requests.map((q) => q.path);
    expect(paths).toHaveLength(4);
    expect(paths).toContainEqual(expect.stringMatching(/^\/v1.0\/groups\/delta\?\$select=.*&\$deltatoken=latest$/));
    expect(paths).toContainEqual(expect.stringMatching(/^\/v1.0\/groups\?\$select=.*&\$top=1$/));
  });
});
