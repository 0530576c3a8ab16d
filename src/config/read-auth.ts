import { resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';
import type { AuthConfig, AuthMethod, Secret } from './config.js';
import { checkFederatedTokenFile } from './federated-token-file.js';
import { readSecretFile } from './secret-file.js';
import { createSecret } from './secret.js';

export const AUTH_METHODS: readonly AuthMethod[] = ['secret', 'certificate', 'managed-identity', 'workload-identity'];

/** How readAuth sees the configuration sources (config-sources.ts). */
export interface AuthSources {
  /** The value of one variable, by precedence. */
  get(name: string): string | undefined;
  /** The first of several names set, by source precedence first (lookupFirst). */
  first(names: readonly string[]): { name: string; value: string } | undefined;
  /** Where relative paths are resolved. */
  cwd: string;
}

/**
 * The credential section of the configuration (CONTRACT.md section 2).
 *
 * When ENTRA_AUTH is unset the method is inferred, in this order: `secret` if AZURE_CLIENT_SECRET or
 * AZURE_CLIENT_SECRET_FILE is set; else `certificate` if AZURE_CLIENT_CERTIFICATE_PATH is set; else
 * `workload-identity` if AZURE_FEDERATED_TOKEN_FILE is set (what the AKS workload identity webhook
 * injects). Managed identity is never inferred: set ENTRA_AUTH=managed-identity.
 *
 * A secret may be given in a file (`AZURE_CLIENT_SECRET_FILE`, `AZURE_CLIENT_CERTIFICATE_PASSWORD_FILE`);
 * the plain variable wins when both are set. A file is read only when its secret is used.
 */
export function readAuth(sources: AuthSources): AuthConfig {
  const { get, first, cwd } = sources;
  const explicit = get('ENTRA_AUTH')?.toLowerCase();
  if (explicit !== undefined && !(AUTH_METHODS as readonly string[]).includes(explicit)) {
    throw new ConfigError('CONFIG_INVALID', `ENTRA_AUTH "${explicit}" is not one of ${AUTH_METHODS.join(', ')}.`, {
      suggestion: 'Set ENTRA_AUTH to secret, certificate, managed-identity or workload-identity, or leave it unset to infer it.',
    });
  }
  const secretSource = first(['AZURE_CLIENT_SECRET', 'AZURE_CLIENT_SECRET_FILE']);
  const certPath = get('AZURE_CLIENT_CERTIFICATE_PATH');
  const tokenFile = get('AZURE_FEDERATED_TOKEN_FILE');
  const method =
    (explicit as AuthMethod | undefined) ??
    (secretSource ? 'secret' : certPath ? 'certificate' : tokenFile ? 'workload-identity' : undefined);

  // A plain value, or the content of the file its _FILE twin names.
  const secretOf = (found: { name: string; value: string } | undefined): Secret | undefined => {
    if (!found) return undefined;
    return found.name.endsWith('_FILE') ? readSecretFile(found.name, resolve(cwd, found.value)) : createSecret(found.value);
  };

  switch (method) {
    case 'secret': {
      const clientSecret = secretOf(secretSource);
      if (!clientSecret) {
        throw new ConfigError('CONFIG_MISSING', 'ENTRA_AUTH=secret but AZURE_CLIENT_SECRET is not set (nor AZURE_CLIENT_SECRET_FILE).', {
          suggestion:
            'Set AZURE_CLIENT_SECRET to the secret Value (Entra admin center > App registrations > your app > Certificates & secrets), or AZURE_CLIENT_SECRET_FILE to a file that holds it.',
        });
      }
      return { method, clientSecret };
    }
    case 'certificate': {
      if (!certPath) {
        throw new ConfigError('CONFIG_MISSING', 'ENTRA_AUTH=certificate but AZURE_CLIENT_CERTIFICATE_PATH is not set.', {
          suggestion: 'Set AZURE_CLIENT_CERTIFICATE_PATH to a PEM (certificate + private key) or PFX file whose certificate is uploaded under Certificates & secrets.',
        });
      }
      const auth: AuthConfig = { method, certificatePath: resolve(cwd, certPath) };
      const password = secretOf(first(['AZURE_CLIENT_CERTIFICATE_PASSWORD', 'AZURE_CLIENT_CERTIFICATE_PASSWORD_FILE']));
      if (password) auth.certificatePassword = password;
      return auth;
    }
    case 'managed-identity':
      return { method };
    case 'workload-identity': {
      if (!tokenFile) {
        throw new ConfigError('CONFIG_MISSING', 'ENTRA_AUTH=workload-identity but AZURE_FEDERATED_TOKEN_FILE is not set.', {
          suggestion:
            'On AKS, enable workload identity for the pod (label azure.workload.identity/use: "true", service account annotated with azure.workload.identity/client-id): the webhook sets AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID. Elsewhere, write the external token to a file and set AZURE_FEDERATED_TOKEN_FILE to its path.',
        });
      }
      const federatedTokenFile = resolve(cwd, tokenFile);
      checkFederatedTokenFile(federatedTokenFile);
      return { method, federatedTokenFile };
    }
    default:
      throw new ConfigError(
        'CONFIG_MISSING',
        'No credentials: set AZURE_CLIENT_SECRET (or AZURE_CLIENT_SECRET_FILE), AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE, or ENTRA_AUTH=managed-identity.',
        {
          suggestion:
            'Create a client secret or upload a certificate in Entra admin center > App registrations > your app > Certificates & secrets, or add a federated credential there for workload identity; then set the matching variable (see .env.example).',
        },
      );
  }
}
