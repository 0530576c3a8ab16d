import { EntraExtractError, GraphError } from '../errors/index.js';
import { emptyStats, pageAcceptor, type GraphTransport, type TransportStats } from '../graph/index.js';
import type { ProbeRequest } from './probe-request.js';

/**
 * What Graph said to a probe:
 * - ok: the request was allowed;
 * - forbidden: 403 (Authorization_RequestDenied: a permission is missing);
 * - premium: 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant: the tenant has no Entra ID P1/P2;
 * - throttled: still throttled after the transport's retries (or asked to wait longer than allowed);
 * - error: anything else (Graph's code and request-id say what).
 */
export type ProbeStatus = 'ok' | 'forbidden' | 'premium' | 'throttled' | 'error';

export interface ProbeResult {
  status: ProbeStatus;
  /** The request, relative to the Graph version root (the one that decided the status). */
  request: string;
  httpStatus?: number;
  /** Graph's `error.code`, or our error code when Graph gave none. */
  code?: string;
  requestId?: string;
  message?: string;
  /** Attempts repeated by the transport (429, 5xx, ...), and 429s among them. */
  retries: number;
  throttled: number;
  /** Why a result reads as it does (a 404 on the fan-out parent, a throttled retry that passed). */
  note?: string;
}

/** Graph's code for a tenant without Entra ID P1/P2 (sign-in logs, signInActivity). */
export const NON_PREMIUM = 'Authentication_RequestFromNonPremiumTenantOrB2CTenant';

/**
 * Sends one probe through the shared transport (its limiter, retries and throttle scopes); never
 * throws. A cheap form Graph refuses as malformed (400) is sent again as the pull's own request. A fan-out probe whose parent answers 404 is sent again on Microsoft Graph's service
 * principal; if that is not found either, it counts as allowed: a 404 says the object was not
 * found, while a missing permission answers 403.
 */
export async function runProbe(transport: GraphTransport, probe: ProbeRequest, onBody?: (body: unknown) => void): Promise<ProbeResult> {
  const stats = emptyStats();
  const first = await attempt(transport, probe.url, probe, stats, onBody);
  if (first.result.httpStatus === 400 && probe.pullUrl) {
    const plain = await attempt(transport, probe.pullUrl, probe, stats, onBody);
    const said = [400, first.result.code].filter(Boolean).join(' ');
    return finish({ ...plain.result, note: `Graph refused the cheap form ${probe.url} (${said}); probed the pull's own request instead` }, stats);
  }
  if (!first.notFound || !probe.parent) return finish(first.result, stats);
  if (probe.fallbackUrl) {
    const second = await attempt(transport, probe.fallbackUrl, probe, stats);
    if (!second.notFound) {
      return finish({ ...second.result, note: `${probe.url} answered 404 (the app's own service principal was not found, e.g. not yet replicated); probed Microsoft Graph's service principal instead` }, stats);
    }
  }
  return finish({
    status: 'ok', request: probe.url, httpStatus: 404, code: first.result.code, requestId: first.result.requestId,
    note: 'Graph answered 404 (the service principal was not found), not 403: the call itself was allowed, so it counts as ok',
  }, stats);
}

interface Attempt {
  result: Omit<ProbeResult, 'retries' | 'throttled'>;
  /** 404: the parent object was not found (the request itself was not refused). */
  notFound: boolean;
}

/** `onBody`: sees the body of an allowed answer (a listing probe takes a parent from it). */
async function attempt(transport: GraphTransport, url: string, probe: ProbeRequest, stats: TransportStats, onBody?: (body: unknown) => void): Promise<Attempt> {
  try {
    const res = await transport.get(url, { stats, accept: pageAcceptor(probe.pageKind) });
    onBody?.(res.body);
    const requestId = res.headers.get('request-id') ?? undefined;
    return { result: { status: 'ok', request: url, httpStatus: res.status, ...(requestId ? { requestId } : {}) }, notFound: false };
  } catch (error) {
    const result = classify(url, error);
    return { result, notFound: result.httpStatus === 404 };
  }
}

function classify(url: string, error: unknown): Omit<ProbeResult, 'retries' | 'throttled'> {
  if (!(error instanceof EntraExtractError)) {
    return { status: 'error', request: url, code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
  }
  const graphCode = error instanceof GraphError ? error.graphCode : undefined;
  const base = {
    request: url,
    ...(error.status !== undefined ? { httpStatus: error.status } : {}),
    code: graphCode ?? error.code,
    ...(error.requestId ? { requestId: error.requestId } : {}),
    message: error.message,
  };
  if (error.status === 403 && graphCode === NON_PREMIUM) return { status: 'premium', ...base };
  if (error.status === 403) return { status: 'forbidden', ...base };
  if (error.code === 'GRAPH_THROTTLED_TOO_LONG' || (error.code === 'GRAPH_RETRIES_EXHAUSTED' && error.status === 429)) {
    return { status: 'throttled', ...base, code: error.code };
  }
  return { status: 'error', ...base };
}

function finish(result: Omit<ProbeResult, 'retries' | 'throttled'>, stats: TransportStats): ProbeResult {
  const out: ProbeResult = { ...result, retries: stats.retries, throttled: stats.throttled };
  if (out.status === 'ok' && stats.throttled > 0 && !out.note) {
    out.note = `throttled ${stats.throttled} time${stats.throttled === 1 ? '' : 's'} (429), then answered after a retry`;
  }
  if (out.status === 'throttled') {
    out.note = `still throttled after ${stats.retries} retr${stats.retries === 1 ? 'y' : 'ies'}: counts as failed; run check again later`;
  }
  return out;
}
