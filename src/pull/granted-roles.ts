/**
 * The application permissions an app-only access token carries in its `roles` claim.
 * The token is only decoded, not verified: Graph verifies it; this only steers what we ask for.
 * https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference#payload-claims
 */
export function grantedRoles(accessToken: string): Set<string> {
  const part = accessToken.split('.')[1];
  if (!part) return new Set();
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { roles?: unknown };
    return new Set(Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : []);
  } catch {
    return new Set();
  }
}
