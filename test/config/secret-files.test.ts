import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { configError } from './support.js';

/** AZURE_CLIENT_SECRET_FILE and AZURE_CLIENT_CERTIFICATE_PASSWORD_FILE: the container-secrets convention. */
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '11111111-2222-3333-4444-555555555555';
const ids = { AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT };
const FILE_SECRET = 'Q9~from-a-file.secret_Value';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'entra-secret-file-'));
}
function file(content: string | Buffer, name = 'secret'): string {
  const path = join(dir(), name);
  writeFileSync(path, content);
  return path;
}
function load(env: Record<string, string | undefined>, cwd = dir()) {
  return loadConfig({ env, cwd, require: 'credentials' });
}
function clientSecret(env: Record<string, string | undefined>, cwd?: string): string {
  const c = load(env, cwd);
  if (c.auth.method !== 'secret') throw new Error(`secret expected, got ${c.auth.method}`);
  return c.auth.clientSecret.reveal();
}

describe('AZURE_CLIENT_SECRET_FILE', () => {
  it('reads the secret from the file and infers ENTRA_AUTH=secret', () => {
    const c = load({ ...ids, AZURE_CLIENT_SECRET_FILE: file(FILE_SECRET) });
    expect(c.auth.method).toBe('secret');
    if (c.auth.method === 'secret') expect(c.auth.clientSecret.reveal()).toBe(FILE_SECRET);
  });

  it.each([
    ['one trailing newline is dropped', `${FILE_SECRET}\n`, FILE_SECRET],
    ['a trailing CRLF is dropped', `${FILE_SECRET}\r\n`, FILE_SECRET],
    ['only one newline is dropped', `${FILE_SECRET}\n\n`, `${FILE_SECRET}\n`],
    ['other whitespace belongs to the secret', `  ${FILE_SECRET} \t\n`, `  ${FILE_SECRET} \t`],
  ])('%s', (_name, content, expected) => {
    expect(clientSecret({ ...ids, AZURE_CLIENT_SECRET_FILE: file(content) })).toBe(expected);
  });

  it('the plain variable wins when both are set, and the file is then not read at all', () => {
    expect(clientSecret({ ...ids, AZURE_CLIENT_SECRET: 'plain-Value', AZURE_CLIENT_SECRET_FILE: file(FILE_SECRET) })).toBe('plain-Value');
    expect(clientSecret({ ...ids, AZURE_CLIENT_SECRET: 'plain-Value', AZURE_CLIENT_SECRET_FILE: '/nonexistent/secret' })).toBe('plain-Value');
  });

  it('comes from .env like the other variables; a relative path is resolved from the working directory', () => {
    const cwd = dir();
    mkdirSync(join(cwd, 'secrets'));
    writeFileSync(join(cwd, 'secrets', 'client'), `${FILE_SECRET}\n`);
    writeFileSync(join(cwd, '.env'), 'AZURE_CLIENT_SECRET_FILE=secrets/client\n');
    expect(clientSecret(ids, cwd)).toBe(FILE_SECRET);
  });

  it('sources keep their precedence: a file named in the environment beats a plain secret in .env', () => {
    const cwd = dir();
    writeFileSync(join(cwd, '.env'), 'AZURE_CLIENT_SECRET=stale-from-dotenv\n');
    expect(clientSecret({ ...ids, AZURE_CLIENT_SECRET_FILE: file(FILE_SECRET) }, cwd)).toBe(FILE_SECRET);
    // ... and within one source the plain variable wins.
    writeFileSync(join(cwd, '.env'), `AZURE_CLIENT_SECRET=from-dotenv\nAZURE_CLIENT_SECRET_FILE=${file(FILE_SECRET)}\n`);
    expect(clientSecret(ids, cwd)).toBe('from-dotenv');
  });

  it('ENTRA_AUTH=secret is satisfied by the file; ENTRA_AUTH=certificate does not read it', () => {
    expect(clientSecret({ ...ids, ENTRA_AUTH: 'secret', AZURE_CLIENT_SECRET_FILE: file(FILE_SECRET) })).toBe(FILE_SECRET);
    const c = load({ ...ids, ENTRA_AUTH: 'certificate', AZURE_CLIENT_CERTIFICATE_PATH: '/x/app.pem', AZURE_CLIENT_SECRET_FILE: '/nonexistent' });
    expect(c.auth.method).toBe('certificate');
  });

  it('the file wins the inference over a certificate path and a federated token file, like AZURE_CLIENT_SECRET', () => {
    const c = load({ ...ids, AZURE_CLIENT_SECRET_FILE: file(FILE_SECRET), AZURE_CLIENT_CERTIFICATE_PATH: 'app.pem', AZURE_FEDERATED_TOKEN_FILE: '/nonexistent' });
    expect(c.auth.method).toBe('secret');
  });

  it.each([
    ['a missing file', () => '/run/secrets/does-not-exist', /^AZURE_CLIENT_SECRET_FILE \/run\/secrets\/does-not-exist cannot be read \(ENOENT\)\.$/],
    ['a directory', () => dir(), /^AZURE_CLIENT_SECRET_FILE \/.* cannot be read \(EISDIR\)\.$/],
    ['an empty file', () => file(''), /^AZURE_CLIENT_SECRET_FILE \/.*\/secret is empty\.$/],
    ['a file with only a newline', () => file('\n'), /is empty/],
    ['a file of blanks', () => file('   \n'), /is empty/],
  ])('%s is a ConfigError naming the variable and the path', (_name, path, message) => {
    const p = path();
    const e = configError(() => load({ ...ids, AZURE_CLIENT_SECRET_FILE: p }));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toMatch(message);
    expect(e.message).toContain(p);
    expect(e.suggestion).toMatch(/AZURE_CLIENT_SECRET_FILE/);
  });

  it('never prints what the file holds: not in the config, nor in a later configuration error', () => {
    const path = file(`${FILE_SECRET}\n`);
    const c = load({ ...ids, AZURE_CLIENT_SECRET_FILE: path });
    expect(JSON.stringify(c)).not.toContain(FILE_SECRET);
    expect(inspect(c, { depth: 10, showHidden: true })).not.toContain(FILE_SECRET);
    const e = configError(() => load({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_SECRET_FILE: path }));
    expect(e.message).toMatch(/AZURE_CLIENT_ID is not set/);
    expect(`${e.message} ${e.suggestion} ${inspect(e, { depth: 10 })}`).not.toContain(FILE_SECRET);
    // A file too large to be a secret is refused by its size, without echoing any of it.
    const big = configError(() => load({ ...ids, AZURE_CLIENT_SECRET_FILE: file(`${FILE_SECRET}${'x'.repeat(70_000)}`) }));
    expect(big.message).toMatch(/too large for a secret file/);
    expect(big.message).not.toContain(FILE_SECRET);
  });
});

describe('AZURE_CLIENT_CERTIFICATE_PASSWORD_FILE', () => {
  const cert = { ...ids, AZURE_CLIENT_CERTIFICATE_PATH: '/x/app.pfx' };
  const password = (env: Record<string, string>) => {
    const c = load(env);
    if (c.auth.method !== 'certificate') throw new Error('certificate expected');
    return c.auth.certificatePassword?.reveal();
  };

  it('reads the password from the file (one trailing newline dropped)', () => {
    expect(password({ ...cert, AZURE_CLIENT_CERTIFICATE_PASSWORD_FILE: file('pfx pass \n') })).toBe('pfx pass ');
  });

  it('the plain variable wins; no password at all is fine', () => {
    expect(password({ ...cert, AZURE_CLIENT_CERTIFICATE_PASSWORD: 'plain', AZURE_CLIENT_CERTIFICATE_PASSWORD_FILE: '/nonexistent' })).toBe('plain');
    expect(password(cert)).toBeUndefined();
  });

  it('a missing or empty file is a ConfigError naming the variable and the path', () => {
    const e = configError(() => load({ ...cert, AZURE_CLIENT_CERTIFICATE_PASSWORD_FILE: '/run/secrets/pfx-pass' }));
    expect(e.message).toBe('AZURE_CLIENT_CERTIFICATE_PASSWORD_FILE /run/secrets/pfx-pass cannot be read (ENOENT).');
    const empty = file('');
    expect(() => load({ ...cert, AZURE_CLIENT_CERTIFICATE_PASSWORD_FILE: empty })).toThrow(`AZURE_CLIENT_CERTIFICATE_PASSWORD_FILE ${empty} is empty.`);
  });

  it('is not read for a secret credential', () => {
    expect(load({ ...ids, AZURE_CLIENT_SECRET: 's', AZURE_CLIENT_CERTIFICATE_PASSWORD_FILE: '/nonexistent' }).auth.method).toBe('secret');
  });

  it('never prints the password', () => {
    const c = load({ ...cert, AZURE_CLIENT_CERTIFICATE_PASSWORD_FILE: file('pfx-pass-from-file-42\n') });
    expect(JSON.stringify(c)).not.toContain('pfx-pass-from-file-42');
    expect(inspect(c, { depth: 10 })).not.toContain('pfx-pass-from-file-42');
  });
});
