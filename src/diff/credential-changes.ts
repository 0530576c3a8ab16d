/** A credential as a diff shows it: which one, its name and when it expires; never a secret. */
export interface CredentialSummary {
  keyId: string | null;
  displayName: string | null;
  endDateTime: string | null;
}

/**
 * The credentials added, removed or re-dated between two versions of a passwordCredentials or
 * keyCredentials array, matched by keyId: added `{old: null, new}`, removed `{old, new: null}`, an
 * expiry moved `{old, new}` (same keyId, another endDateTime). Other differences (a renamed
 * credential, a property Graph added) are not a review's concern.
 * https://learn.microsoft.com/graph/api/resources/passwordcredential
 */
export function credentialChanges(before: unknown, after: unknown): { old: CredentialSummary | null; new: CredentialSummary | null }[] {
  const was = byKeyId(before);
  const now = byKeyId(after);
  const out: { old: CredentialSummary | null; new: CredentialSummary | null }[] = [];
  for (const [id, c] of was) {
    const n = now.get(id);
    if (!n) out.push({ old: c, new: null });
    else if (n.endDateTime !== c.endDateTime) out.push({ old: c, new: n });
  }
  for (const [id, c] of now) if (!was.has(id)) out.push({ old: null, new: c });
  return out;
}

function byKeyId(list: unknown): Map<string, CredentialSummary> {
  const out = new Map<string, CredentialSummary>();
  if (!Array.isArray(list)) return out;
  for (const raw of list) {
    if (raw === null || typeof raw !== 'object') continue;
    const c = raw as Record<string, unknown>;
    const summary: CredentialSummary = {
      keyId: typeof c.keyId === 'string' ? c.keyId : null,
      displayName: typeof c.displayName === 'string' ? c.displayName : null,
      endDateTime: typeof c.endDateTime === 'string' ? c.endDateTime : null,
    };
    // A credential without a keyId (not seen from Graph) is matched on what it holds.
    out.set(summary.keyId ?? JSON.stringify(c), summary);
  }
  return out;
}
