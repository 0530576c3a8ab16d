import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../../src/config/index.js';
import { readRepoFile, ROOT } from './repo.js';

/**
 * Variables read from the process environment by Node.js or undici rather than by the configuration
 * loader, which a recipe may set too. (HTTP_PROXY/HTTPS_PROXY/NO_PROXY: README, "Configuration".)
 */
const RUNTIME_VARIABLES = ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'NODE_EXTRA_CA_CERTS', 'TZ'];

/** The contract lives beside the repository (../shared/spec) where the project is checked out with it. */
const CONTRACT = join(ROOT, '..', 'shared', 'spec', 'CONTRACT.md');

/** `NAME=` assignments in .env.example, commented out or not. */
export function envExampleVariables(): Set<string> {
  const names = new Set<string>();
  for (const line of readRepoFile('.env.example').split('\n')) {
    const m = /^\s*#?\s*([A-Z][A-Z0-9_]*)=/.exec(line);
    if (m) names.add(m[1]!);
  }
  return names;
}

/** The variables CONTRACT.md section 2 names, when the contract is there. */
export function contractVariables(): Set<string> {
  if (!existsSync(CONTRACT)) return new Set();
  const text = readFileSync(CONTRACT, 'utf8');
  const start = text.indexOf('## 2.');
  const end = text.indexOf('## 3.', start);
  if (start < 0 || end < 0) throw new Error(`${CONTRACT}: no section 2 (configuration)`);
  return new Set([...text.slice(start, end).matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
}

/** Every variable a recipe may set: .env.example, the contract's section 2, and the runtime's own. */
export function configVariables(): Set<string> {
  return new Set([...envExampleVariables(), ...contractVariables(), ...RUNTIME_VARIABLES]);
}

/** Stand-ins for the files a recipe points at, so the real loader can read them. */
const STAND_INS: Record<string, string> = {
  AZURE_CLIENT_SECRET_FILE: 'stand-in-client-secret\n',
  AZURE_CLIENT_CERTIFICATE_PASSWORD_FILE: 'stand-in-password\n',
  AZURE_FEDERATED_TOKEN_FILE: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJzdGFuZC1pbiJ9.c3RhbmQtaW4\n',
};

/**
 * Runs a recipe's environment through the CLI's own configuration loader (as `pull` does, credentials
 * required), with each secret or token file replaced by a stand-in in a temporary folder, and no `.env`.
 * Throws the loader's ConfigError when the recipe's configuration would not start.
 */
export function loadRecipeConfig(env: Readonly<Record<string, string>>): Readonly<Config> {
  const dir = mkdtempSync(join(tmpdir(), 'ee-deploy-'));
  const local: Record<string, string> = { ...env };
  for (const [name, content] of Object.entries(STAND_INS)) {
    if (local[name] === undefined) continue;
    const path = join(dir, name.toLowerCase());
    writeFileSync(path, content, { mode: 0o600 });
    local[name] = path;
  }
  return loadConfig({ env: local, cwd: dir, require: 'credentials' });
}
