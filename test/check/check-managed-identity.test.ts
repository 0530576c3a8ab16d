import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { CheckReport } from '../../src/check/index.js';
import { createCheckWorld, FULL_ROLES, runCheckCli, TENANT_ID, type CheckWorld } from './check-world.js';

// A file of its own: msal-node reads IDENTITY_ENDPOINT / IDENTITY_HEADER once per process and keeps
// managed identity tokens in a static cache (see test/auth/managed-identity-header.test.ts).
const MI_ORIGIN = 'http://127.0.0.1:41743';
const MI_CLIENT = '44444444-4444-4444-8444-444444444444';
let world: CheckWorld;

beforeAll(() => {
  world = createCheckWorld({
    roles: [],
    managedIdentity: { origin: MI_ORIGIN, identityHeader: 'mi-header-value', clientId: MI_CLIENT, roles: FULL_ROLES.filter((p) => p !== 'AuditLog.Read.All') },
  });
  vi.stubEnv('IDENTITY_ENDPOINT', `${MI_ORIGIN}/MSI/token/`);
  vi.stubEnv('IDENTITY_HEADER', 'mi-header-value');
});
afterAll(() => {
  world.close();
  vi.unstubAllEnvs();
});

it('a managed identity: the fix is the app role assignment on Microsoft Graph, not an app registration', async () => {
  const env = { AZURE_TENANT_ID: TENANT_ID, AZURE_CLIENT_ID: MI_CLIENT, ENTRA_AUTH: 'managed-identity', GRAPH_ENDPOINT: world.env.GRAPH_ENDPOINT };
  const json = await runCheckCli(['--json'], env);
  expect(json.exit).toBe(4);
  const report = JSON.parse(json.stdout) as CheckReport;
  expect(report.setup).toMatchObject({ credential: 'managed-identity', credentialDescription: `managed identity (user-assigned, client id ${MI_CLIENT})` });
  expect(report.token).toMatchObject({ acquired: true, appId: MI_CLIENT, servicePrincipalId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  const sp = report.token.acquired ? report.token.servicePrincipalId! : '';
  expect(report.collections.filter((c) => c.verdict === 'failed').map((c) => c.collection)).toEqual(['signInActivity']);
  const fix = report.fix!;
  expect(fix.target).toBe('managed-identity');
  expect(fix.grant.map((g) => [g.permission, g.id])).toEqual([['AuditLog.Read.All', 'b0afded3-3588-46d8-8b3d-9842eff778da']]);
  const commands = fix.commands.join('\n');
  expect(commands).toContain('GRAPH_SP_ID=$(az ad sp show --id 00000003-0000-0000-c000-000000000000 --query id -o tsv)');
  expect(commands).toContain(
    `az rest --method POST --uri https://graph.sim.test/v1.0/servicePrincipals/${sp}/appRoleAssignments --headers Content-Type=application/json ` +
      `--body "{\\"principalId\\":\\"${sp}\\",\\"resourceId\\":\\"$GRAPH_SP_ID\\",\\"appRoleId\\":\\"b0afded3-3588-46d8-8b3d-9842eff778da\\"}"`,
  );
  expect(commands).not.toMatch(/az ad app/);
  expect(fix.portal.join(' ')).toMatch(/no app registration/);
  expect(fix.notes.join(' ')).toMatch(/the token's oid claim/);
  expect(fix.notes.join(' ')).toMatch(/Microsoft Graph's service principal id differs per tenant/);

  const text = await runCheckCli([], env);
  expect(text.exit).toBe(4);
  expect(text.stdout).toMatch(/Credential +managed identity \(user-assigned/);
  expect(text.stdout).toMatch(/How to fix \(managed identity: app role assignments\)/);
  expect(text.stdout).not.toContain('mi-header-value');
});
