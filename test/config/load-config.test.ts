import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { CLOUDS, isMicrosoftLoginHost } from '../../src/config/clouds.js';
import { configError } from './support.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '11111111-2222-3333-4444-555555555555';
const SECRET = 'Abc~very.secret_value-123';
const base = { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: SECRET };

function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), 'entra-config-'));
}
function load(env: Record<string, string | undefined>, cwd = emptyDir(), flags = {}) {
  return loadConfig({ env, cwd, flags, require: 'credentials' });
}

describe('loadConfig', () => {
  it('builds a frozen config with defaults for the global cloud', () => {
    const cwd = emptyDir();
    const c = load(base, cwd);
    expect(c).toMatchObject({
      tenantId: TENANT,
      clientId: CLIENT,
      cloud: 'global',
      authorityHost: 'https://login.microsoftonline.com',
      graphEndpoint: 'https://graph.microsoft.com',
      dbPath: join(cwd, 'entra.db'),
    });
    expect(c.auth.method).toBe('secret');
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.auth)).toBe(true);
    expect(() => {
      (c as { tenantId: string }).tenantId = 'x';
    }).toThrow(TypeError);
  });

  it('never prints the secret (JSON.stringify, String, template, util.inspect)', () => {
    const c = load(base);
    if (c.auth.method !== 'secret') throw new Error('secret expected');
    expect(c.auth.clientSecret.reveal()).toBe(SECRET);
    expect(JSON.stringify(c)).not.toContain(SECRET);
    expect(JSON.stringify(c)).toContain('[redacted]');
    expect(String(c.auth.clientSecret)).toBe('[redacted]');
    expect(`${c.auth.clientSecret}`).toBe('[redacted]');
    expect(inspect(c, { depth: 10, showHidden: true })).not.toContain(SECRET);
  });

  it('never prints the certificate password', () => {
    const c = load({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_CERTIFICATE_PATH: 'app.pfx', AZURE_CLIENT_CERTIFICATE_PASSWORD: 'pfx-pass-42' });
    expect(JSON.stringify(c)).not.toContain('pfx-pass-42');
    expect(inspect(c, { depth: 10 })).not.toContain('pfx-pass-42');
  });

  it('flags beat the environment, which beats .env', () => {
    const cwd = emptyDir();
    writeFileSync(
      join(cwd, '.env'),
      `AZURE_TENANT_ID=contoso.onmicrosoft.com\nAZURE_CLIENT_ID=${CLIENT}\nAZURE_CLIENT_SECRET="from dotenv"\nENTRA_DB=dotenv.db\nENTRA_CLOUD=usgov\n`,
    );
    const fromDotEnv = load({}, cwd);
    expect(fromDotEnv.tenantId).toBe('contoso.onmicrosoft.com');
    expect(fromDotEnv.cloud).toBe('usgov');
    expect(fromDotEnv.dbPath).toBe(join(cwd, 'dotenv.db'));
    if (fromDotEnv.auth.method !== 'secret') throw new Error();
    expect(fromDotEnv.auth.clientSecret.reveal()).toBe('from dotenv');

    const fromEnv = load({ ENTRA_DB: 'env.db', AZURE_TENANT_ID: TENANT }, cwd);
    expect(fromEnv.dbPath).toBe(join(cwd, 'env.db'));
    expect(fromEnv.tenantId).toBe(TENANT);

    const fromFlags = load({ ENTRA_DB: 'env.db' }, cwd, { db: '/abs/flag.db', tenantId: 'fabrikam.com' });
    expect(fromFlags.dbPath).toBe('/abs/flag.db');
    expect(fromFlags.tenantId).toBe('fabrikam.com');
  });

  it('does not touch process.env and tolerates a missing .env', () => {
    const before = { ...process.env };
    load(base);
    expect(process.env).toEqual(before);
  });

  it('treats empty values as unset (a copied .env.example)', () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, '.env'), 'AZURE_CLIENT_SECRET=\nAZURE_CLIENT_CERTIFICATE_PATH=\n');
    const e = configError(() => load({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT }, cwd));
    expect(e.message).toMatch(/AZURE_CLIENT_SECRET/);
    expect(e.message).toMatch(/AZURE_CLIENT_CERTIFICATE_PATH/);
  });

  it.each([
    [{ ...base, AZURE_TENANT_ID: undefined }, 'CONFIG_MISSING', /AZURE_TENANT_ID is not set/],
    [{ ...base, AZURE_TENANT_ID: 'common' }, 'CONFIG_INVALID', /AZURE_TENANT_ID "common" is neither a GUID nor a domain/],
    [{ ...base, AZURE_TENANT_ID: 'not a tenant' }, 'CONFIG_INVALID', /AZURE_TENANT_ID/],
    [{ ...base, AZURE_CLIENT_ID: undefined }, 'CONFIG_MISSING', /AZURE_CLIENT_ID is not set/],
    [{ ...base, AZURE_CLIENT_ID: 'my-app' }, 'CONFIG_INVALID', /AZURE_CLIENT_ID "my-app" is not a GUID/],
    [{ ...base, AZURE_AUTHORITY_HOST: 'http://login.sim.test' }, 'CONFIG_INVALID', /AZURE_AUTHORITY_HOST must be an https URL/],
    [{ ...base, AZURE_AUTHORITY_HOST: 'https://login.sim.test/tenant' }, 'CONFIG_INVALID', /AZURE_AUTHORITY_HOST must be a host root/],
    [{ ...base, AZURE_AUTHORITY_HOST: 'not a url' }, 'CONFIG_INVALID', /AZURE_AUTHORITY_HOST "not a url" is not a URL/],
    [{ ...base, GRAPH_ENDPOINT: 'http://graph.sim.test' }, 'CONFIG_INVALID', /GRAPH_ENDPOINT must be an https URL/],
    [{ ...base, GRAPH_ENDPOINT: 'https://graph.microsoft.us/v1.0' }, 'CONFIG_INVALID', /GRAPH_ENDPOINT .*remove "\/v1\.0" \(use https:\/\/graph\.microsoft\.us\)/],
    [{ ...base, GRAPH_ENDPOINT: 'https://graph.microsoft.us/beta/' }, 'CONFIG_INVALID', /remove "\/beta"/],
    [{ ...base, ENTRA_CLOUD: 'germany' }, 'CONFIG_INVALID', /ENTRA_CLOUD "germany" is not one of global, usgov, usgovdod, china/],
    [{ ...base, ENTRA_AUTH: 'password' }, 'CONFIG_INVALID', /ENTRA_AUTH "password" is not one of secret, certificate, managed-identity, workload-identity/],
    [{ ...base, ENTRA_AUTH: 'certificate' }, 'CONFIG_MISSING', /ENTRA_AUTH=certificate but AZURE_CLIENT_CERTIFICATE_PATH is not set/],
    [{ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, ENTRA_AUTH: 'secret' }, 'CONFIG_MISSING', /ENTRA_AUTH=secret but AZURE_CLIENT_SECRET is not set/],
    [{ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT }, 'CONFIG_MISSING', /set AZURE_CLIENT_SECRET \(or AZURE_CLIENT_SECRET_FILE\), AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE, or ENTRA_AUTH=managed-identity/],
  ])('rejects %o', (env, code, message) => {
    const e = configError(() => load(env));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.suggestion).toBeTruthy();
    expect(e.message).not.toContain(SECRET);
  });

  it('accepts a domain name as tenant and lowercases nothing else', () => {
    expect(load({ ...base, AZURE_TENANT_ID: 'contoso.onmicrosoft.com' }).tenantId).toBe('contoso.onmicrosoft.com');
  });

  it('infers the method: secret wins over a certificate path when ENTRA_AUTH is unset', () => {
    const both = load({ ...base, AZURE_CLIENT_CERTIFICATE_PATH: 'app.pem' });
    expect(both.auth.method).toBe('secret');
    const cwd = emptyDir();
    const cert = load({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_CERTIFICATE_PATH: 'certs/app.pem' }, cwd);
    expect(cert.auth).toEqual({ method: 'certificate', certificatePath: join(cwd, 'certs/app.pem') });
    const explicit = load({ ...base, AZURE_CLIENT_CERTIFICATE_PATH: '/x/app.pem', ENTRA_AUTH: 'certificate' });
    expect(explicit.auth.method).toBe('certificate');
  });

  it('managed identity needs no client id, and takes a user-assigned one', () => {
    const system = load({ AZURE_TENANT_ID: TENANT, ENTRA_AUTH: 'managed-identity' });
    expect(system.auth).toEqual({ method: 'managed-identity' });
    expect(system.clientId).toBeUndefined();
    const user = load({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, ENTRA_AUTH: 'Managed-Identity' });
    expect(user.clientId).toBe(CLIENT);
  });

  it.each([
    ['global', 'https://graph.microsoft.com', 'https://login.microsoftonline.com'],
    ['usgov', 'https://graph.microsoft.us', 'https://login.microsoftonline.us'],
    ['usgovdod', 'https://dod-graph.microsoft.us', 'https://login.microsoftonline.us'],
    ['china', 'https://microsoftgraph.chinacloudapi.cn', 'https://login.partner.microsoftonline.cn'],
    ['USGov', 'https://graph.microsoft.us', 'https://login.microsoftonline.us'],
  ])('ENTRA_CLOUD=%s maps to its hosts', (cloud, graph, login) => {
    const c = load({ ...base, ENTRA_CLOUD: cloud });
    expect(c.graphEndpoint).toBe(graph);
    expect(c.authorityHost).toBe(login);
    expect(isMicrosoftLoginHost(c.authorityHost)).toBe(true);
  });

  it('overrides win over the cloud and are normalised (trailing slash)', () => {
    const c = load({ ...base, ENTRA_CLOUD: 'usgov', AZURE_AUTHORITY_HOST: 'https://login.sim.test:8443/', GRAPH_ENDPOINT: 'https://graph.sim.test/' });
    expect(c.cloud).toBe('usgov');
    expect(c.authorityHost).toBe('https://login.sim.test:8443');
    expect(c.graphEndpoint).toBe('https://graph.sim.test');
  });

  it("require: 'database' needs only the db path", () => {
    const cwd = emptyDir();
    expect(loadConfig({ env: {}, cwd, require: 'database' })).toEqual({ dbPath: join(cwd, 'entra.db') });
    expect(loadConfig({ env: { ENTRA_DB: ':memory:' }, cwd, require: 'database' }).dbPath).toBe(':memory:');
    expect(Object.isFrozen(loadConfig({ env: {}, cwd, flags: { db: 'x.db' }, require: 'database' }))).toBe(true);
  });

  it('the cloud table and login host check', () => {
    expect(Object.keys(CLOUDS)).toEqual(['global', 'usgov', 'usgovdod', 'china']);
    expect(isMicrosoftLoginHost('login.microsoftonline.com')).toBe(true);
    expect(isMicrosoftLoginHost('https://login.chinacloudapi.cn/')).toBe(true);
    expect(isMicrosoftLoginHost('https://login.sim.test')).toBe(false);
    expect(isMicrosoftLoginHost('127.0.0.1:8443')).toBe(false);
  });
});
