/** The scopes of a delegatedGrant link's grants (its data: {grants: [{id, consentType, principalId, scope}]}). */
export interface DelegatedScopes {
  /** Every scope granted, for anyone: sorted, once each. */
  all: string[];
  /** The scopes consented for every user (consentType AllPrincipals). */
  allPrincipals: string[];
  /** The scopes consented by or for single users (consentType Principal), and how many users. */
  principal: string[];
  principals: number;
}

const sorted = (s: Set<string>) => [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * A grant's `scope` is a space-separated list of delegated permissions
 * (https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant).
 */
export function delegatedScopes(data: string | null): DelegatedScopes {
  const all = new Set<string>();
  const everyone = new Set<string>();
  const single = new Set<string>();
  const users = new Set<string>();
  let grants: unknown = [];
  try {
    grants = (JSON.parse(data ?? '{}') as { grants?: unknown }).grants ?? [];
  } catch {
    grants = [];
  }
  for (const g of Array.isArray(grants) ? grants : []) {
    const grant = (g ?? {}) as { consentType?: unknown; principalId?: unknown; scope?: unknown };
    const scopes = typeof grant.scope === 'string' ? grant.scope.split(/\s+/).filter(Boolean) : [];
    const into = grant.consentType === 'AllPrincipals' ? everyone : single;
    if (grant.consentType !== 'AllPrincipals' && typeof grant.principalId === 'string') users.add(grant.principalId);
    for (const s of scopes) {
      all.add(s);
      into.add(s);
    }
  }
  return { all: sorted(all), allPrincipals: sorted(everyone), principal: sorted(single), principals: users.size };
}
