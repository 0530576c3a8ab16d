/**
 * What an app-only access token says about itself, decoded (not verified: Graph verifies it; this
 * only steers what we ask for and which database it belongs to).
 * https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference#payload-claims
 */
export interface TokenFacts {
  /** Application permissions in the `roles` claim. */
  roles: Set<string>;
  /** The tenant GUID in the `tid` claim. */
  tenantId?: string;
}

export function tokenFacts(accessToken: string): TokenFacts {
  const part = accessToken.split('.')[1];
  if (!part) return { roles: new Set() };
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { roles?: unknown; tid?: unknown };
    const roles = new Set(Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : []);
    return typeof claims.tid === 'string' && claims.tid !== '' ? { roles, tenantId: claims.tid } : { roles };
  } catch {
    return { roles: new Set() };
  }
}
