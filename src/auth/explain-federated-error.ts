import { readFileSync } from 'node:fs';
import { AuthError, type ErrorDetails } from '../errors/index.js';

/** What the token in the file claims: issuer, subject, audience and expiry are not secret; the token is. */
interface TokenFacts {
  iss?: string;
  sub?: string;
  aud?: string;
  exp?: string;
  /** Why the file cannot be used now (an errno code, 'empty', 'not a JWT'). */
  unusable?: string;
}

const FEDERATED_CREDENTIALS = 'Certificates & secrets > Federated credentials';
const AKS_HINT =
  'On AKS the issuer is the cluster\'s OIDC issuer URL (az aks show --query oidcIssuerProfile.issuerUrl) and the subject system:serviceaccount:<namespace>:<service account>.';

/**
 * Explains a failed token request of ENTRA_AUTH=workload-identity in administrator terms, or returns
 * undefined to leave it to the general rules (unknown tenant, unknown app, ...). Entra's codes:
 * - AADSTS70021 (no matching federated identity record), AADSTS700211 (…for the issuer),
 *   AADSTS700212 (…for the audience), AADSTS700213 (…for the subject), AADSTS7002138 (the subject
 *   matches only ignoring case: matching is case-sensitive since 2024);
 * - AADSTS700024: the token is outside its valid time range (expired, or not yet valid);
 * - AADSTS50166 ("Failed to send request to claims provider") / AADSTS501661 ("Request to External
 *   OIDC endpoint failed"): Entra could not fetch the issuer's OpenID configuration or keys;
 * - AADSTS700027 / AADSTS50027 / AADSTS700222: the token's signature or form was refused (700222: a
 *   token issued by Entra itself).
 * https://learn.microsoft.com/entra/workload-id/workload-identity-federation (the link in Entra's 70021x messages)
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 * https://learn.microsoft.com/entra/identity-platform/reference-breaking-changes (case-sensitive matching, 7002138)
 * https://learn.microsoft.com/azure/devops/pipelines/release/troubleshoot-workload-identity (70021, 700024)
 * https://azure.github.io/azure-workload-identity/docs/troubleshooting.html (AADSTS70021 on AKS)
 * The message names the file and what the token claims (issuer, subject, audience, expiry), never the token.
 */
export function explainFederatedError(aadsts: string | undefined, file: string, app: string, base: ErrorDetails): AuthError | undefined {
  const facts = readTokenFacts(file);
  const claims = [
    facts.iss ? `issuer ${facts.iss}` : undefined,
    facts.sub ? `subject ${facts.sub}` : undefined,
    facts.aud ? `audience ${facts.aud}` : undefined,
  ].filter(Boolean).join(', ');
  const presented = claims ? ` (${claims})` : '';

  switch (aadsts) {
    case '70021':
    case '700211':
    case '700212':
    case '700213':
    case '7002138': {
      const which: Record<string, string> = {
        '70021': 'that matches the token',
        '700211': 'for the issuer of the token',
        '700212': 'for the audience of the token',
        '700213': 'for the subject of the token',
        '7002138': 'for the subject of the token (one differs only in upper/lower case, and matching is case-sensitive)',
      };
      return new AuthError('AUTH_FEDERATED_CREDENTIAL_MISMATCH', `AADSTS${aadsts}: app ${app} has no federated credential ${which[aadsts]} in AZURE_FEDERATED_TOKEN_FILE ${file}${presented}.`, {
        ...base,
        suggestion: `In the Entra admin center > App registrations > ${app} > ${FEDERATED_CREDENTIALS}, add or correct a credential with exactly the token's issuer and subject (compared case-sensitively) and the audience api://AzureADTokenExchange. ${AKS_HINT}`,
      });
    }
    case '700024':
      return new AuthError('AUTH_FEDERATED_TOKEN_EXPIRED', `AADSTS700024: the token in AZURE_FEDERATED_TOKEN_FILE ${file} is outside its valid time range${facts.exp ? ` (the token now in the file expires ${facts.exp})` : ''}.`, {
        ...base,
        suggestion:
          'The platform must keep the file fresh: on Kubernetes mount the projected service account token (the kubelet rotates it), not a copy; in CI, fetch a new OIDC token right before the run. Check the machine\'s clock as well.',
      });
    case '50166':
    case '501661':
      return new AuthError('AUTH_FEDERATED_ISSUER_UNREACHABLE', `AADSTS${aadsts}: Entra could not fetch the OpenID configuration or keys of the issuer of the token in AZURE_FEDERATED_TOKEN_FILE ${file}${presented}.`, {
        ...base,
        suggestion:
          'The issuer URL must serve /.well-known/openid-configuration and its signing keys publicly over https (on AKS: enable the OIDC issuer, az aks update --enable-oidc-issuer), and the federated credential must name that exact URL.',
      });
    case '700027':
    case '50027':
    case '700222':
      return new AuthError('AUTH_FEDERATED_TOKEN_INVALID', `AADSTS${aadsts}: the token in AZURE_FEDERATED_TOKEN_FILE ${file} was refused (its signature or form)${presented}.`, {
        ...base,
        suggestion:
          'Point AZURE_FEDERATED_TOKEN_FILE at a token issued by the issuer named in the federated credential (on AKS the projected token, /var/run/secrets/azure/tokens/azure-identity-token); a token issued by Entra itself cannot be used.',
      });
    case undefined:
      break;
    default:
      return undefined;
  }
  if (facts.unusable) {
    // The file was fine when the configuration was read: it was removed, emptied or replaced since.
    return new AuthError('AUTH_FEDERATED_TOKEN_UNREADABLE', `AZURE_FEDERATED_TOKEN_FILE ${file} cannot be used (${facts.unusable}).`, {
      ...base,
      request: undefined,
      suggestion: 'Keep the projected service account token mounted at that path for the whole run, readable by the user entra-extract runs as.',
    });
  }
  return undefined;
}

function readTokenFacts(path: string): TokenFacts {
  let token: string;
  try {
    token = readFileSync(path, 'utf8').trim();
  } catch (err) {
    return { unusable: (err as NodeJS.ErrnoException).code ?? 'unreadable' };
  }
  if (!token) return { unusable: 'empty' };
  const payload = token.split('.')[1];
  try {
    const c = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' && v.length <= 300 ? v : undefined);
    const aud = Array.isArray(c.aud) ? c.aud.map(text).filter(Boolean).join(' ') : text(c.aud);
    return {
      iss: text(c.iss),
      sub: text(c.sub),
      aud: aud || undefined,
      exp: typeof c.exp === 'number' ? new Date(c.exp * 1000).toISOString() : undefined,
    };
  } catch {
    return { unusable: 'not a JWT' };
  }
}
