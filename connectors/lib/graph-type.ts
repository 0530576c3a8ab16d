/** '#microsoft.graph.servicePrincipal' → 'servicePrincipal'. Unknown or missing → undefined. */
export function graphTypeName(odataType: unknown): string | undefined {
  if (typeof odataType !== 'string') return undefined;
  const m = /^#?microsoft\.graph\.(\w+)$/.exec(odataType);
  return m ? m[1] : undefined;
}
