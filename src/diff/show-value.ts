/** A property value as a person reads it in the table: strings quoted, nothing as "(none)". */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return '(none)';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'object' || Array.isArray(v)) return JSON.stringify(v);
  const o = v as Record<string, unknown>;
  // A credential (credentialChanges) or a manager (managerChanges).
  if ('keyId' in o) {
    const name = typeof o.displayName === 'string' ? JSON.stringify(o.displayName) : 'unnamed';
    return `${name} (keyId ${String(o.keyId)}, expires ${o.endDateTime === null ? 'never' : String(o.endDateTime)})`;
  }
  if ('id' in o && 'name' in o) return o.name === null ? String(o.id) : `${String(o.name)} (${String(o.id)})`;
  return JSON.stringify(v);
}

/** A property value in a CSV cell: text as it is, nothing as an empty cell, anything else as JSON. */
export function cellValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
