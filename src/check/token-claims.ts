import { tokenFacts } from '../pull/granted-roles.js';

/**
 * What `check` reads from the access token (decoded, not verified: Graph verifies it). Never the
 * token itself. https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference#payload-claims
 */
export interface TokenClaims {
  /** Application permissions in the `roles` claim, sorted. */
  roles: string[];
  /**
   * Whether the token has a `roles` claim at all. An app-only token is issued even when no
   * application permission has admin consent: it then has no `roles` claim, and Graph refuses the calls.
   */
  hasRolesClaim: boolean;
  /** `tid`: the tenant GUID. */
  tenantId?: string;
  /** `appid` (v1 tokens) or `azp` (v2 tokens): the application (client) id. */
  appId?: string;
  /** `oid`: the object id of the app's (or managed identity's) service principal in this tenant. */
  servicePrincipalId?: string;
}

export function readTokenClaims(accessToken: string): TokenClaims {
  const facts = tokenFacts(accessToken);
  const claims = decodePayload(accessToken);
  const text = (name: string): string | undefined => {
    const v = claims[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const out: TokenClaims = { roles: [...facts.roles].sort(), hasRolesClaim: Array.isArray(claims.roles) };
  if (facts.tenantId) out.tenantId = facts.tenantId;
  const appId = text('appid') ?? text('azp');
  if (appId) out.appId = appId;
  const oid = text('oid');
  if (oid) out.servicePrincipalId = oid;
  return out;
}

function decodePayload(accessToken: string): Record<string, unknown> {
  const part = accessToken.split('.')[1];
  if (!part) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
