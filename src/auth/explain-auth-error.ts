import { AuthError } from '../errors/index.js';
import type { Config } from '../config/config.js';
import { describeProxy, proxyFor, readProxySettings, type Env } from '../net/proxy-settings.js';
import { explainFederatedError } from './explain-federated-error.js';

/**
 * Turns an @azure/identity / MSAL error into an AuthError with a stable code and a suggestion a
 * tenant administrator can act on. Branches on the AADSTS code, never on message wording.
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 * The message is built here, never copied from the request: it cannot contain the secret,
 * the certificate password or a token. Workload identity's own codes are explained in
 * explain-federated-error.ts.
 */
export function explainAuthError(err: unknown, config: Readonly<Config>, env: Env = process.env): AuthError {
  if (err instanceof AuthError) return err;
  const text = errorText(err);
  const aadsts = /AADSTS(\d+)/.exec(text)?.[1] ?? codeFromBody(err);
  const app = config.clientId ?? '(system-assigned managed identity)';
  const where = `tenant ${config.tenantId} at ${config.authorityHost}`;
  const base = { request: `POST ${config.authorityHost}/${config.tenantId}/oauth2/v2.0/token`, cause: err };
  if (config.auth.method === 'workload-identity') {
    // The assertion is the federated token, not a certificate: its codes (700024, 700027, ...) mean other things.
    const federated = explainFederatedError(aadsts, config.auth.federatedTokenFile, app, base);
    if (federated) return federated;
  }

  switch (aadsts) {
    case '7000215':
      return new AuthError('AUTH_INVALID_SECRET', `AADSTS7000215: the client secret is not valid for app ${app}; copy the secret Value, not its ID.`, {
        ...base,
        suggestion: `In the Entra admin center > App registrations > ${app} > Certificates & secrets, create a new client secret and put its Value (shown once) in AZURE_CLIENT_SECRET.`,
      });
    case '7000222':
      return new AuthError('AUTH_EXPIRED_SECRET', `AADSTS7000222: the client secret of app ${app} has expired.`, {
        ...base,
        suggestion: `Create a new secret in Entra admin center > App registrations > ${app} > Certificates & secrets and update AZURE_CLIENT_SECRET.`,
      });
    case '90002':
    case '900023':
      return new AuthError('AUTH_UNKNOWN_TENANT', `AADSTS${aadsts}: tenant ${config.tenantId} was not found at ${config.authorityHost}.`, {
        ...base,
        suggestion: 'Check AZURE_TENANT_ID (Directory (tenant) ID on the app\'s Overview page) and that ENTRA_CLOUD / AZURE_AUTHORITY_HOST name the cloud the tenant lives in.',
      });
    case '700016':
      return new AuthError('AUTH_APP_NOT_FOUND', `AADSTS700016: no application with client id ${app} in ${where}.`, {
        ...base,
        suggestion: 'Check AZURE_CLIENT_ID (Application (client) ID on the app\'s Overview page) and that the app is registered in, or consented to by, this tenant.',
      });
    case '700027':
    case '700021':
    case '700023':
    case '700024':
    case '50027':
      return new AuthError('AUTH_INVALID_CERTIFICATE', `AADSTS${aadsts}: the client certificate assertion for app ${app} was rejected.`, {
        ...base,
        suggestion: `Upload the certificate whose private key is in AZURE_CLIENT_CERTIFICATE_PATH under Entra admin center > App registrations > ${app} > Certificates & secrets (it may have been removed or have expired).`,
      });
    case undefined:
      break;
    default:
      return new AuthError('AUTH_FAILED', `AADSTS${aadsts}: getting a token for app ${app} in ${where} failed.`, {
        ...base,
        suggestion: `Look the code up at https://login.microsoftonline.com/error?code=${aadsts}.`,
      });
  }

  const name = err instanceof Error ? err.name : '';
  // MSAL reads <authority>/<tenant>/v2.0/.well-known/openid-configuration first; Entra answers 400
  // (AADSTS90002) for an unknown tenant, which MSAL reports only as endpoints_resolution_error.
  if (/endpoints_resolution_error/.test(text)) {
    const proxy = proxyNote(config, env);
    return new AuthError('AUTH_UNKNOWN_TENANT', `Tenant ${config.tenantId} could not be resolved at ${config.authorityHost} (unknown tenant, wrong cloud, or the login host is unreachable${proxy ? `; ${proxy.message}` : ''}).`, {
      ...base,
      request: `GET ${config.authorityHost}/${config.tenantId}/v2.0/.well-known/openid-configuration`,
      suggestion: `Check AZURE_TENANT_ID (Directory (tenant) ID on the app's Overview page), that ENTRA_CLOUD / AZURE_AUTHORITY_HOST name the cloud the tenant lives in, and network access to the login host.${proxy ? ` ${proxy.suggestion}` : ''}`,
    });
  }
  if (config.auth.method === 'managed-identity' && (name === 'CredentialUnavailableError' || /managed identity|IDENTITY_ENDPOINT|IMDS/i.test(text))) {
    return new AuthError('AUTH_MANAGED_IDENTITY_UNAVAILABLE', `Managed identity is not available here${config.clientId ? ` (client id ${config.clientId})` : ''}.`, {
      ...base,
      request: undefined,
      suggestion: 'Run on an Azure host with a managed identity assigned (App Service, Functions, Container Apps, VM), with AZURE_CLIENT_ID set to a user-assigned identity\'s client ID if it is not system-assigned; or use ENTRA_AUTH=secret/certificate.',
    });
  }
  if (/certificate|private key|PEM|PFX|PKCS/i.test(text)) {
    return new AuthError('AUTH_INVALID_CERTIFICATE', `The client certificate for app ${app} could not be used.`, {
      ...base,
      suggestion: 'Check AZURE_CLIENT_CERTIFICATE_PATH and AZURE_CLIENT_CERTIFICATE_PASSWORD.',
    });
  }
  const proxy = proxyNote(config, env);
  return new AuthError('AUTH_FAILED', `Getting a token for app ${app} in ${where} failed (${name || 'error'}${proxy ? `; ${proxy.message}` : ''}).`, {
    ...base,
    suggestion: `Check network access to ${config.authorityHost} and the AZURE_* settings.${proxy ? ` ${proxy.suggestion}` : ''}`,
  });
}

/**
 * MSAL reports a proxy that refuses the tunnel (407, 403) or cannot be reached only as a failed
 * request to the login host; when that host is routed through a proxy, say so.
 */
function proxyNote(config: Readonly<Config>, env: Env): { message: string; suggestion: string } | undefined {
  if (config.auth.method === 'managed-identity') return undefined;
  let proxy: URL | undefined;
  try {
    const settings = readProxySettings(env);
    proxy = settings && proxyFor(config.authorityHost, settings);
  } catch {
    return undefined; // a malformed proxy variable fails on its own, before any request
  }
  if (!proxy) return undefined;
  const host = new URL(config.authorityHost).hostname;
  return {
    message: `requests to it go through the proxy ${describeProxy(proxy)} (HTTPS_PROXY / HTTP_PROXY)`,
    suggestion: `Check that the proxy is reachable and allows ${host}; if it asks for credentials, put them in the proxy URL (http://user:password@proxy:port); or list ${host} in NO_PROXY if it is reachable directly.`,
  };
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name} ${err.message}`;
  return String(err);
}

function codeFromBody(err: unknown): string | undefined {
  const codes = (err as { errorResponse?: { errorCodes?: unknown; error_codes?: unknown } } | null)?.errorResponse;
  const list = codes?.errorCodes ?? codes?.error_codes;
  return Array.isArray(list) && list.length > 0 ? String(list[0]) : undefined;
}
