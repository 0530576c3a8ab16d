/**
 * A password or key credential as stored: its dates and ids, never the secret. Graph returns
 * `secretText` only when a secret is created and `hint` (its first characters) on reads; `key` is
 * the certificate itself. None of them is stored.
 * https://learn.microsoft.com/graph/api/resources/passwordcredential, .../keycredential
 */
export function withoutSecrets(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((c) => {
    if (c === null || typeof c !== 'object') return c;
    const { secretText: _s, hint: _h, key: _k, ...rest } = c as Record<string, unknown>;
    return rest;
  });
}

/** An object's properties with its credential lists stripped of secrets. */
export function stripCredentials(data: Record<string, unknown>): Record<string, unknown> {
  const out = { ...data };
  for (const k of ['passwordCredentials', 'keyCredentials']) if (k in out) out[k] = withoutSecrets(out[k]);
  return out;
}
