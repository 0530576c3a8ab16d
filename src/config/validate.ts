import { ConfigError } from '../errors/index.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A DNS name with at least two labels, e.g. contoso.onmicrosoft.com (the tenant's verified domain).
const DOMAIN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const ADMIN_CENTER = 'Entra admin center > Identity > Applications > App registrations > your app > Overview';

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

export function checkTenantId(value: string | undefined): string {
  if (value === undefined) {
    throw new ConfigError('CONFIG_MISSING', 'AZURE_TENANT_ID is not set.', {
      suggestion: `Set AZURE_TENANT_ID to the Directory (tenant) ID (a GUID) or a verified domain of the tenant; find it in the ${ADMIN_CENTER}.`,
    });
  }
  if (!GUID.test(value) && !DOMAIN.test(value)) {
    throw new ConfigError('CONFIG_INVALID', `AZURE_TENANT_ID "${value}" is neither a GUID nor a domain name.`, {
      suggestion: `Use the Directory (tenant) ID, e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47, or a verified domain such as contoso.onmicrosoft.com (not "common" or "organizations"); see the ${ADMIN_CENTER}.`,
    });
  }
  return value;
}

export function checkClientId(value: string | undefined, required: boolean, why: string): string | undefined {
  if (value === undefined) {
    if (!required) return undefined;
    throw new ConfigError('CONFIG_MISSING', `AZURE_CLIENT_ID is not set (${why}).`, {
      suggestion: `Set AZURE_CLIENT_ID to the Application (client) ID of the app registration; find it in the ${ADMIN_CENTER}.`,
    });
  }
  if (!GUID.test(value)) {
    throw new ConfigError('CONFIG_INVALID', `AZURE_CLIENT_ID "${value}" is not a GUID.`, {
      suggestion: `Use the Application (client) ID (a GUID such as 11111111-2222-3333-4444-555555555555), not the app's name or object ID; see the ${ADMIN_CENTER}.`,
    });
  }
  return value.toLowerCase();
}

/**
 * An https URL root without query, fragment or credentials. A trailing slash is removed.
 * `allowPath` permits a path prefix (a Graph proxy); the authority host must be a bare origin.
 */
export function checkHttpsRoot(variable: string, value: string, allowPath: boolean, example: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('CONFIG_INVALID', `${variable} "${value}" is not a URL.`, {
      suggestion: `Set ${variable} to an https URL such as ${example}.`,
    });
  }
  if (url.protocol !== 'https:') {
    throw new ConfigError('CONFIG_INVALID', `${variable} must be an https URL, got "${value}".`, {
      suggestion: `Tokens and directory data only travel over TLS: use ${example}.`,
    });
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError('CONFIG_INVALID', `${variable} must not contain credentials, a query or a fragment: "${value}".`, {
      suggestion: `Set ${variable} to the bare root URL, e.g. ${example}.`,
    });
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (path && !allowPath) {
    throw new ConfigError('CONFIG_INVALID', `${variable} must be a host root without a path (no tenant, no /oauth2), got "${value}".`, {
      suggestion: `Use just the scheme and host, e.g. ${example}; the tenant comes from AZURE_TENANT_ID.`,
    });
  }
  return `${url.origin}${path}`;
}
