/**
 * The typed, frozen configuration every command works from. Built once by loadConfig()
 * from flags, the environment and a `.env` file (flags win), see CONTRACT.md section 2.
 */
export type AuthMethod = 'secret' | 'certificate' | 'managed-identity' | 'workload-identity';
export type CloudName = 'global' | 'usgov' | 'usgovdod' | 'china';

/** A secret value that never prints: toString/toJSON/inspect give '[redacted]'. */
export interface Secret {
  reveal(): string;
}

export type AuthConfig =
  | { method: 'secret'; clientSecret: Secret }
  | { method: 'certificate'; certificatePath: string; certificatePassword?: Secret }
  | { method: 'managed-identity' }
  /**
   * Workload identity federation: a token from another issuer (a Kubernetes service account token, a
   * GitHub Actions OIDC token), kept up to date in a file by the platform, is exchanged for an Entra
   * token through a federated identity credential on the app registration. Absolute path.
   */
  | { method: 'workload-identity'; federatedTokenFile: string };

export interface Config {
  tenantId: string;
  /** Application (client) ID; for managed identity, the user-assigned identity's client ID (optional there). */
  clientId?: string;
  auth: AuthConfig;
  cloud: CloudName;
  /** Login host root, https, no trailing slash, e.g. https://login.microsoftonline.com */
  authorityHost: string;
  /** Graph root, https, no trailing slash and no version, e.g. https://graph.microsoft.com */
  graphEndpoint: string;
  /** SQLite database path (absolute, or ':memory:'). */
  dbPath: string;
}

/** What `loadConfig({ require: 'database' })` returns: enough for `status`, no credentials needed. */
export interface DatabaseConfig {
  dbPath: string;
}
