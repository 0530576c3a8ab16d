import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { CLOUD_NAMES, CLOUDS, isCloudName } from './clouds.js';
import { lookup, lookupFirst, readDotEnv, type EnvLike } from './config-sources.js';
import type { CloudName, Config, DatabaseConfig } from './config.js';
import { readAuth } from './read-auth.js';
import { checkClientId, checkHttpsRoot, checkTenantId } from './validate.js';

/** Command-line flags that override the environment. Undefined means "not given". */
export interface ConfigFlags {
  /** --db */
  db?: string;
  tenantId?: string;
  clientId?: string;
  auth?: string;
  cloud?: string;
}

export interface LoadConfigOptions {
  /** Defaults to process.env (read, never written). */
  env?: EnvLike;
  /** Where `.env` is looked for and relative paths are resolved. Defaults to process.cwd(). */
  cwd?: string;
  flags?: ConfigFlags;
  /** 'credentials': everything needed to call Graph. 'database': only the database path (status). */
  require: 'credentials' | 'database';
}

const DEFAULT_DB = './entra.db';

/**
 * Builds the frozen configuration from flags > environment > `.env` in cwd (CONTRACT.md section 2),
 * failing fast with a ConfigError that names the variable at fault. The credential section (method
 * inference, secrets read from `*_FILE` files, the federated token file) is read-auth.ts.
 */
export function loadConfig(options: LoadConfigOptions & { require: 'credentials' }): Readonly<Config>;
export function loadConfig(options: LoadConfigOptions & { require: 'database' }): Readonly<DatabaseConfig>;
export function loadConfig(options: LoadConfigOptions): Readonly<Config> | Readonly<DatabaseConfig>;
export function loadConfig(options: LoadConfigOptions): Readonly<Config> | Readonly<DatabaseConfig> {
  const { env = process.env, cwd = process.cwd(), flags = {} } = options;
  const flagEnv: EnvLike = {
    ENTRA_DB: flags.db,
    AZURE_TENANT_ID: flags.tenantId,
    AZURE_CLIENT_ID: flags.clientId,
    ENTRA_AUTH: flags.auth,
    ENTRA_CLOUD: flags.cloud,
  };
  const sources = [flagEnv, env, readDotEnv(cwd)];
  const get = (name: string) => lookup(sources, name);

  const dbPath = resolveDbPath(get('ENTRA_DB') ?? DEFAULT_DB, cwd);
  if (options.require === 'database') return deepFreeze({ dbPath });

  const tenantId = checkTenantId(get('AZURE_TENANT_ID'));
  const auth = readAuth({ get, first: (names) => lookupFirst(sources, names), cwd });
  const clientId = checkClientId(
    get('AZURE_CLIENT_ID'),
    auth.method !== 'managed-identity',
    `required for ENTRA_AUTH=${auth.method}`,
  );
  const cloud = readCloud(get('ENTRA_CLOUD'));
  const authorityOverride = get('AZURE_AUTHORITY_HOST');
  const graphOverride = get('GRAPH_ENDPOINT');
  const authorityHost = authorityOverride
    ? checkHttpsRoot('AZURE_AUTHORITY_HOST', authorityOverride, false, CLOUDS[cloud].authorityHost)
    : CLOUDS[cloud].authorityHost;
  const graphEndpoint = graphOverride ? checkGraphEndpoint(graphOverride, cloud) : CLOUDS[cloud].graphEndpoint;

  const config: Config = { tenantId, auth, cloud, authorityHost, graphEndpoint, dbPath };
  if (clientId !== undefined) config.clientId = clientId;
  return deepFreeze(config);
}

function readCloud(value: string | undefined): CloudName {
  if (value === undefined) return 'global';
  const name = value.toLowerCase();
  if (!isCloudName(name)) {
    throw new ConfigError('CONFIG_INVALID', `ENTRA_CLOUD "${value}" is not one of ${CLOUD_NAMES.join(', ')}.`, {
      suggestion: 'Use global (also GCC moderate), usgov (GCC High), usgovdod (DoD) or china (21Vianet); or set GRAPH_ENDPOINT and AZURE_AUTHORITY_HOST.',
    });
  }
  return name;
}

function checkGraphEndpoint(value: string, cloud: CloudName): string {
  const root = checkHttpsRoot('GRAPH_ENDPOINT', value, true, CLOUDS[cloud].graphEndpoint);
  const version = /\/(v1\.0|beta)$/i.exec(root);
  if (version) {
    const without = root.slice(0, -version[0].length);
    throw new ConfigError('CONFIG_INVALID', `GRAPH_ENDPOINT must be the Graph root without a version: remove "${version[0]}" (use ${without}).`, {
      suggestion: `Set GRAPH_ENDPOINT=${without}; entra-extract adds /v1.0 itself and requests tokens for ${without}/.default.`,
    });
  }
  return root;
}

function resolveDbPath(path: string, cwd: string): string {
  return path === ':memory:' || isAbsolute(path) ? path : resolve(cwd, path);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
