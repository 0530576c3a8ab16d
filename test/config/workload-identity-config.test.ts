import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { configError } from './support.js';

/** ENTRA_AUTH=workload-identity and AZURE_FEDERATED_TOKEN_FILE. */
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '11111111-2222-3333-4444-555555555555';
const ids = { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT };
// A JWT-shaped token (the configuration checks the shape, not the signature).
const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const TOKEN = `${part({ alg: 'RS256' })}.${part({ iss: 'https://oidc.example/', sub: 'system:serviceaccount:entra:entra-extract' })}.c2lnbmF0dXJlLXNlY3JldA`;

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'entra-wi-config-'));
}
function tokenFile(content = `${TOKEN}\n`): string {
  const path = join(dir(), 'azure-identity-token');
  writeFileSync(path, content);
  return path;
}
function load(env: Record<string, string | undefined>, cwd = dir()) {
  return loadConfig({ env, cwd, require: 'credentials' });
}

describe('workload identity configuration', () => {
  it('is inferred from AZURE_FEDERATED_TOKEN_FILE alone (what the AKS webhook injects)', () => {
    const path = tokenFile();
    // The webhook's AZURE_AUTHORITY_HOST ends in a slash.
    const c = load({ ...ids, AZURE_FEDERATED_TOKEN_FILE: path, AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com/' });
    expect(c.auth).toEqual({ method: 'workload-identity', federatedTokenFile: path });
    expect(c.clientId).toBe(CLIENT);
    expect(c.authorityHost).toBe('https://login.microsoftonline.com');
    expect(Object.isFrozen(c.auth)).toBe(true);
  });

  it('a secret or a certificate path wins the inference; an explicit ENTRA_AUTH wins over all', () => {
    const path = tokenFile();
    expect(load({ ...ids, AZURE_FEDERATED_TOKEN_FILE: path, AZURE_CLIENT_SECRET: 's' }).auth.method).toBe('secret');
    expect(load({ ...ids, AZURE_FEDERATED_TOKEN_FILE: path, AZURE_CLIENT_CERTIFICATE_PATH: 'app.pem' }).auth.method).toBe('certificate');
    expect(load({ ...ids, AZURE_FEDERATED_TOKEN_FILE: path, AZURE_CLIENT_SECRET: 's', ENTRA_AUTH: 'Workload-Identity' }).auth.method).toBe('workload-identity');
    expect(load({ ...ids, AZURE_FEDERATED_TOKEN_FILE: path, ENTRA_AUTH: 'managed-identity' }).auth).toEqual({ method: 'managed-identity' });
  });

  it('comes from .env too; a relative path is resolved from the working directory', () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'token'), TOKEN);
    writeFileSync(join(cwd, '.env'), `AZURE_TENANT_ID=${TENANT}\nAZURE_CLIENT_ID=${CLIENT}\nENTRA_AUTH=workload-identity\nAZURE_FEDERATED_TOKEN_FILE=token\n`);
    expect(load({}, cwd).auth).toEqual({ method: 'workload-identity', federatedTokenFile: join(cwd, 'token') });
  });

  it.each([
    [{ ENTRA_AUTH: 'workload-identity' }, 'CONFIG_MISSING', /^ENTRA_AUTH=workload-identity but AZURE_FEDERATED_TOKEN_FILE is not set\.$/],
    [{ AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token' }, 'CONFIG_INVALID', /^AZURE_FEDERATED_TOKEN_FILE \/var\/run\/secrets\/azure\/tokens\/azure-identity-token cannot be read \(ENOENT\)\.$/],
    [{ AZURE_FEDERATED_TOKEN_FILE: '@empty' }, 'CONFIG_INVALID', /^AZURE_FEDERATED_TOKEN_FILE \/.* is empty\.$/],
    [{ AZURE_FEDERATED_TOKEN_FILE: '@json' }, 'CONFIG_INVALID', /^AZURE_FEDERATED_TOKEN_FILE \/.* does not hold a JWT/],
    [{ AZURE_FEDERATED_TOKEN_FILE: '@dir' }, 'CONFIG_INVALID', /cannot be read \(EISDIR\)/],
  ])('%o → %s naming the variable, never the content', (env: Record<string, string>, code, message) => {
    const value = env.AZURE_FEDERATED_TOKEN_FILE;
    const resolved = value === '@empty' ? tokenFile('\n') : value === '@json' ? tokenFile(`{"count":1,"value":"${TOKEN}"}`) : value === '@dir' ? dir() : value;
    const e = configError(() => load({ ...ids, ...env, ...(resolved ? { AZURE_FEDERATED_TOKEN_FILE: resolved } : {}) }));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.suggestion).toMatch(/azure\.workload\.identity|AZURE_FEDERATED_TOKEN_FILE/);
    for (const text of [e.message, e.suggestion ?? '']) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('c2lnbmF0dXJlLXNlY3JldA');
    }
  });

  it('needs AZURE_CLIENT_ID (the app with the federated credential)', () => {
    const e = configError(() => load({ AZURE_TENANT_ID: TENANT, AZURE_FEDERATED_TOKEN_FILE: tokenFile() }));
    expect(e.message).toBe('AZURE_CLIENT_ID is not set (required for ENTRA_AUTH=workload-identity).');
  });

  it('the token itself is never part of the configuration', () => {
    const c = load({ ...ids, AZURE_FEDERATED_TOKEN_FILE: tokenFile() });
    expect(JSON.stringify(c)).not.toContain(TOKEN);
  });
});
