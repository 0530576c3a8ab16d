import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/index.js';

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const WHERE =
  'On AKS the workload identity webhook mounts it (pod label azure.workload.identity/use: "true", service account annotation azure.workload.identity/client-id); elsewhere write the issuer\'s token (a JWT) to the file before each run.';

/**
 * The federated token file must be there and hold a JWT when the configuration is read, so a missing
 * projection fails before any network call. Its content is not kept: @azure/identity's
 * WorkloadIdentityCredential reads the file itself, again whenever its copy is 5 minutes old, because the
 * platform rotates the token. Errors name the variable and the path, never the token.
 */
export function checkFederatedTokenFile(path: string): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError('CONFIG_INVALID', `AZURE_FEDERATED_TOKEN_FILE ${path} cannot be read (${code}).`, {
      suggestion: `Point AZURE_FEDERATED_TOKEN_FILE at the projected service account token, readable by the user entra-extract runs as. ${WHERE}`,
      cause: err,
    });
  }
  const token = text.trim();
  if (token === '') {
    throw new ConfigError('CONFIG_INVALID', `AZURE_FEDERATED_TOKEN_FILE ${path} is empty.`, { suggestion: WHERE });
  }
  if (!JWT.test(token)) {
    throw new ConfigError('CONFIG_INVALID', `AZURE_FEDERATED_TOKEN_FILE ${path} does not hold a JWT (three base64url parts joined by dots).`, {
      suggestion: `The file must hold only the token, not a JSON response or a certificate. ${WHERE}`,
    });
  }
}
