import {
  ClientCertificateCredential,
  ClientSecretCredential,
  WorkloadIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import { ConfigError } from '../errors/index.js';
import { isMicrosoftLoginHost } from '../config/clouds.js';
import type { Config } from '../config/config.js';
import type { Env } from '../net/proxy-settings.js';
import { loadCertificatePem } from './load-certificate.js';
import { loginProxyOptions, type LoginProxyOptions } from './login-proxy-options.js';
import { createManagedIdentityCredential } from './managed-identity-credential.js';

/** The constructor arguments a credential is built from, kept separate so tests can inspect them. */
export type CredentialPlan =
  | { kind: 'secret'; tenantId: string; clientId: string; options: CommonOptions }
  | { kind: 'certificate'; tenantId: string; clientId: string; options: CommonOptions }
  | { kind: 'managed-identity'; clientId?: string }
  | { kind: 'workload-identity'; tenantId: string; clientId: string; tokenFilePath: string; options: CommonOptions };

export interface CommonOptions extends LoginProxyOptions {
  authorityHost: string;
  /**
   * MSAL's instance discovery / authority validation only knows Microsoft's clouds: off for any other
   * host (a test or loopback simulation), on for the real clouds. See docs/local-graph.md.
   */
  disableInstanceDiscovery: boolean;
}

/**
 * `env` is where HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read from (default process.env): the login
 * host is routed like the Graph host (login-proxy-options.ts), for secret, certificate and workload
 * identity credentials alike (all three call the login host's token endpoint). Managed identity keeps the library's
 * own handling: its endpoint is on the machine itself (IMDS or IDENTITY_ENDPOINT), not the login host.
 */
export function planCredential(config: Readonly<Config>, env: Env = process.env): CredentialPlan {
  const options = (): CommonOptions => ({
    authorityHost: config.authorityHost,
    disableInstanceDiscovery: !isMicrosoftLoginHost(config.authorityHost),
    ...loginProxyOptions(config.authorityHost, env),
  });
  switch (config.auth.method) {
    case 'secret':
      return { kind: 'secret', tenantId: config.tenantId, clientId: requireClientId(config), options: options() };
    case 'certificate':
      return { kind: 'certificate', tenantId: config.tenantId, clientId: requireClientId(config), options: options() };
    case 'managed-identity':
      return config.clientId ? { kind: 'managed-identity', clientId: config.clientId } : { kind: 'managed-identity' };
    case 'workload-identity':
      return {
        kind: 'workload-identity',
        tenantId: config.tenantId,
        clientId: requireClientId(config),
        tokenFilePath: config.auth.federatedTokenFile,
        options: options(),
      };
  }
}

/**
 * Builds the @azure/identity credential for the configured method. The certificate file is read (and
 * a PFX converted) once, up front, so a bad file fails before any network call; the federated token
 * file was checked by loadConfig and is read by the credential itself, since it rotates.
 */
export function createCredentialFactory(config: Readonly<Config>, env: Env = process.env): () => TokenCredential {
  const plan = planCredential(config, env);
  switch (plan.kind) {
    case 'secret': {
      const auth = config.auth as Extract<Config['auth'], { method: 'secret' }>;
      return () => new ClientSecretCredential(plan.tenantId, plan.clientId, auth.clientSecret.reveal(), plan.options);
    }
    case 'certificate': {
      const auth = config.auth as Extract<Config['auth'], { method: 'certificate' }>;
      const certificate = loadCertificatePem(auth.certificatePath, auth.certificatePassword);
      return () => new ClientCertificateCredential(plan.tenantId, plan.clientId, { certificate }, plan.options);
    }
    case 'managed-identity': {
      // Every credential after the first replaces a token Graph refused: it must not come from a cache.
      let made = 0;
      return () => createManagedIdentityCredential(plan.clientId, made++ > 0);
    }
    case 'workload-identity':
      // @azure/identity's own credential: it reads the token file when a token is requested and again
      // once its copy is 5 minutes old (workloadIdentityCredential.js readFileContents), so a rotated
      // projected token is picked up. Each new instance (after invalidate()) reads the file afresh and
      // has an empty MSAL cache. Tenant, client and file are passed explicitly, never taken from
      // process.env, so .env and flags count as for the other methods.
      return () =>
        new WorkloadIdentityCredential({ tenantId: plan.tenantId, clientId: plan.clientId, tokenFilePath: plan.tokenFilePath, ...plan.options });
  }
}

function requireClientId(config: Readonly<Config>): string {
  if (!config.clientId) {
    throw new ConfigError('CONFIG_MISSING', `AZURE_CLIENT_ID is not set (required for ENTRA_AUTH=${config.auth.method}).`, {
      suggestion: 'Set AZURE_CLIENT_ID to the Application (client) ID of the app registration.',
    });
  }
  return config.clientId;
}
