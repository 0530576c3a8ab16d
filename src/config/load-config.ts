import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { CLOUD_NAMES, CLOUDS, isCloudName } from './clouds.js';
import { lookup, readDotEnv, type EnvLike } from './config-sources.js';
import type { AuthConfig, AuthMethod, CloudName, Config, DatabaseConfig } from './config.js';
import { createSecret } from './secret.js';
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

const AUTH_METHODS: readonly AuthMethod[] = ['secret', 'certificate', 'managed-identity'];
const DEFAULT_DB = './entra.db';

/**
 * Builds the frozen configuration from flags > environment > `.env` in cwd (CONTRACT.md section 2),
 * failing fast with a ConfigError that names the variable at fault.
 *
 * When ENTRA_AUTH is unset the method is inferred: `secret` if AZURE_CLIENT_SECRET is set (it wins
 * when a certificate path is set too), else `certificate` if AZURE_CLIENT_CERTIFICATE_PATH is set.
 * Managed identity is never inferred: set ENTRA_AUTH=managed-identity.
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
  const auth = readAuth(get, cwd);
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

function readAuth(get: (name: string) => string | undefined, cwd: string): AuthConfig {
  const secret = get('AZURE_CLIENT_SECRET');
  const certPath = get('AZURE_CLIENT_CERTIFICATE_PATH');
  const certPassword = get('AZURE_CLIENT_CERTIFICATE_PASSWORD');
  const explicit = get('ENTRA_AUTH')?.toLowerCase();
  if (explicit !== undefined && !(AUTH_METHODS as readonly string[]).includes(explicit)) {
    throw new ConfigError('CONFIG_INVALID', `ENTRA_AUTH "${explicit}" is not one of ${AUTH_METHODS.join(', ')}.`, {
      suggestion: 'Set ENTRA_AUTH to secret, certificate or managed-identity, or leave it unset to infer it.',
    });
  }
  const method = (explicit as AuthMethod | undefined) ?? (secret ? 'secret' : certPath ? 'certificate' : undefined);
  switch (method) {
    case 'secret':
      if (!secret) {
        throw new ConfigError('CONFIG_MISSING', 'ENTRA_AUTH=secret but AZURE_CLIENT_SECRET is not set.', {
          suggestion: 'Set AZURE_CLIENT_SECRET to the secret Value (Entra admin center > App registrations > your app > Certificates & secrets).',
        });
      }
      return { method, clientSecret: createSecret(secret) };
    case 'certificate': {
      if (!certPath) {
        throw new ConfigError('CONFIG_MISSING', 'ENTRA_AUTH=certificate but AZURE_CLIENT_CERTIFICATE_PATH is not set.', {
          suggestion: 'Set AZURE_CLIENT_CERTIFICATE_PATH to a PEM (certificate + private key) or PFX file whose certificate is uploaded under Certificates & secrets.',
        });
      }
      const auth: AuthConfig = { method, certificatePath: resolve(cwd, certPath) };
      if (certPassword) auth.certificatePassword = createSecret(certPassword);
      return auth;
    }
    case 'managed-identity':
      return { method };
    default:
      throw new ConfigError('CONFIG_MISSING', 'No credentials: set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, or ENTRA_AUTH=managed-identity.', {
        suggestion: 'Create a client secret or upload a certificate in Entra admin center > App registrations > your app > Certificates & secrets, then set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (see .env.example).',
      });
  }
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
