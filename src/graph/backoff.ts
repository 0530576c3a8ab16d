/**
 * Capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a uniform random delay in [0, min(maxDelayMs, baseDelayMs * 2^retry)).
 * Used only when the server gave no Retry-After.
 */
export function backoffDelay(
  retry: number,
  options: { baseDelayMs: number; maxDelayMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry));
  return Math.floor(ceiling * Math.min(Math.max(random(), 0), 1));
}
