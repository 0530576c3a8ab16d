/**
 * Parses a Retry-After header into milliseconds from `now`.
 * Graph sends seconds, sometimes fractional (`Retry-After: 2.128`,
 * https://learn.microsoft.com/graph/throttling); HTTP also allows an HTTP-date (RFC 9110 §10.2.3).
 * Returns undefined when the header is absent or unreadable, so the caller falls back to backoff.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    return Math.ceil(Number(text) * 1000);
  }
  // Only something that looks like a date: Date.parse accepts odd inputs such as "1" or "-5".
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
