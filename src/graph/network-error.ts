import { EntraExtractError } from '../errors/index.js';

/** Codes of a connection that broke or stalled: worth another try. */
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Codes that mean the endpoint itself is wrong (name does not resolve, nothing listens, TLS does not
 * trust it): retrying for minutes would only hide a configuration error.
 */
const FATAL_CODES = new Set([
  'ENOTFOUND',
  'ECONNREFUSED',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && out.length < 8 && !out.includes(current)) {
    out.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

function codeOf(err: unknown): string | undefined {
  for (const e of chain(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
  }
  return undefined;
}

/** True when `fetch` or reading the body failed in a way another attempt may fix (reset, hang-up, timeout). */
export function isRetryableNetworkError(err: unknown): boolean {
  const links = chain(err);
  if (links.some((e) => e instanceof EntraExtractError)) return false;
  const code = codeOf(err);
  if (code !== undefined && FATAL_CODES.has(code)) return false;
  if (code !== undefined && RETRYABLE_CODES.has(code)) return true;
  return links.some((e) => {
    if (!(e instanceof Error)) return false;
    if (e.name === 'TimeoutError') return true; // AbortSignal.timeout per attempt
    if (e.name === 'TypeError' && /fetch failed|failed to fetch|network/i.test(e.message)) return true;
    // undici's "terminated": the connection closed while the body was being read.
    if (e.name === 'TypeError' && e.message === 'terminated') return true;
    return /socket hang up|ECONNRESET|other side closed/i.test(e.message);
  });
}

/** A short description for messages: `ECONNRESET`, `TimeoutError`, or the error message. */
export function describeNetworkError(err: unknown): string {
  const code = codeOf(err);
  if (code !== undefined) return code;
  const last = chain(err).at(-1);
  if (last instanceof Error) return last.name === 'TimeoutError' ? 'timeout' : last.message;
  return String(err);
}
