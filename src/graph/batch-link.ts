/**
 * A URL as a `$batch` sub-request wants it: relative to the version root. Graph's nextLinks are
 * absolute, and a batch needs them with the `<graph root>/v1.0` prefix stripped
 * (https://learn.microsoft.com/graph/json-batching); the rest is kept exactly as Graph wrote it, never
 * rebuilt (https://learn.microsoft.com/graph/paging). Returns undefined for a URL outside the root.
 */
export function batchUrlOf(url: string, graphEndpoint: string): string | undefined {
  if (!/^https?:\/\//i.test(url)) return url.startsWith('/') ? url : undefined;
  const root = `${graphEndpoint.replace(/\/+$/, '')}/v1.0`;
  // Scheme and host are case-insensitive; the path after them is compared as written.
  const head = url.slice(0, root.length);
  if (head.toLowerCase() !== root.toLowerCase()) return undefined;
  const rest = url.slice(root.length);
  return rest.startsWith('/') ? rest : undefined;
}
