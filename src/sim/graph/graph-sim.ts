import { randomBytes, randomUUID } from 'node:crypto';
import type { VerifyResult } from '../login/login-sim-types.js';
import { json, type SimHandler, type SimRequest, type SimResponse } from '../sim-http.js';
import { mulberry32 } from '../tenant/prng.js';
import type { Tenant } from '../tenant/tenant.js';
import { Faults, spoilsPage } from './faults.js';
import { graphError, graphErrorBody, type ResponseContext } from './graph-error.js';
import { parseIdFilter, parseSelect, type Collection, type Selection } from './properties.js';
import { renderPage } from './render.js';
import { deltaRoundItems, fullRoundItems, planPages, type Round } from './rounds.js';
import { spoilResponse } from './spoil.js';
import { Throttle } from './throttle.js';
import { throttleScopeOf, type SimResource } from './sim-resource.js';
import { createDirectoryResource } from '../directory/directory-resource.js';
import type { DirectoryResourceOptions } from '../directory/directory-resource-options.js';
import { createAuditResource } from '../audit/audit-resource.js';
import { serveBatch } from './batch.js';
import { READ_GROUPS, READ_USERS } from './read-permissions.js';
import { createTenantListResource } from './tenant-list-resource.js';
import type { ListingOptions } from './list-options.js';

export interface GraphSimOptions {
  /** Seed of page sizes, shuffling, empty pages and replays (default 1). */
  seed?: number;
  /** Units per users page (1 per object + 1 per manager entry), default [100, 200]. */
  userPageUnits?: [number, number];
  /** Units per groups page (1 per object + 1 per member/owner entry), default [200, 3000]. */
  groupPageUnits?: [number, number];
  /** Probability of an extra `value: []` page before each page (default 0). */
  emptyPageRate?: number;
  /** Probability that an item is sent again later in the same round (default 0). */
  replayRate?: number;
  /** Shuffle the order of items in a round (default true). */
  shuffle?: boolean;
  /** Lifetime of a nextLink (default 10 minutes). */
  skipTokenTtlMs?: number;
  /** Lifetime of a deltaLink (default 7 days, graph-facts 1.4). */
  deltaTokenTtlMs?: number;
  /** Bounds of the server-side state (defaults 100,000 / 100,000 / 32 / 100,000). */
  maxSkipTokens?: number;
  maxDeltaTokens?: number;
  maxRounds?: number;
  maxRequestLog?: number;
  /** A request this early before a throttle window ends is still accepted (timer granularity), default 1 ms. */
  violationToleranceMs?: number;
  now?: () => number;
  /** Page sizes and token lifetimes of the apps-and-roles endpoints (src/sim/directory). */
  directory?: DirectoryResourceOptions;
  /**
   * Page sizes of the plain listings (GET /users, /groups, /groups/{id}/members|owners, and unless
   * `directory.listing` says otherwise those of the directory: units, roles and their members).
   * Defaults in LISTING_DEFAULTS (list-options.ts). Their nextLinks live `skipTokenTtlMs`.
   */
  listing?: ListingOptions;
}

export interface RequestLogEntry {
  at: number;
  method: string;
  path: string;
  status: number;
  clientRequestId: string | null;
  hasAuthorization: boolean;
  /** Set when a fault spoiled the 200: the spoil kind, or 'resetAfterHeaders'. */
  spoiled?: string;
  /** A sub-request of a `$batch` envelope (the envelope is logged too, as POST /v1.0/$batch). */
  batched?: boolean;
}

export type DeltaExpiry = 'syncStateNotFound' | 'resyncRequired' | 'gone';

interface DeltaTokenState {
  kind: Collection;
  seq: number;
  selection: Selection;
  filterRaw: string | null;
  filterIds: Set<string> | null;
  createdAt: number;
  expired?: DeltaExpiry;
}

interface SkipTokenState {
  round: Round;
  page: number;
  createdAt: number;
  expired?: boolean;
}

const KNOWN_OPTIONS = new Set(['$select', '$filter', '$top', '$deltatoken', '$skiptoken']);
const DELTA_PATH = /^\/v1\.0\/(users|groups)\/(?:microsoft\.graph\.)?delta(?:\(\))?\/?$/i;
const WWW_AUTHENTICATE = 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

export type VerifyBearer = (authorization: string | null, audience: string) => VerifyResult;

export interface GraphSim {
  handle: SimHandler;
  faults: Faults;
  /** The identity scope (users, groups, apps, roles, ...): resource units per app and tenant. */
  throttle: Throttle;
  /** The reports scope (auditLogs): its own budget, 5 requests per 10 s per app and tenant (graph-facts 3.3). */
  reportsThrottle: Throttle;
  /** Bounded log of the requests answered, oldest first. */
  requests: RequestLogEntry[];
  /** Every nextLink handed out so far answers 400 Directory_ExpiredPageToken. */
  expireSkipTokens(): void;
  /** Every deltaLink handed out so far answers 400 with that code, or 410 Gone for 'gone'. */
  expireDeltaTokens(kind: DeltaExpiry): void;
  stats(): { rounds: number; skipTokens: number; deltaTokens: number; requests: number };
}

export function createGraphSim(args: { tenant: Tenant; verifyBearer: VerifyBearer; options?: GraphSimOptions }): GraphSim {
  const { tenant } = args;
  const o = args.options ?? {};
  const now = o.now ?? Date.now;
  const rng = mulberry32(o.seed ?? 1);
  const skipTtl = o.skipTokenTtlMs ?? 10 * 60_000;
  const deltaTtl = o.deltaTokenTtlMs ?? 7 * 24 * 3600_000;
  const maxSkip = o.maxSkipTokens ?? 100_000;
  const maxDelta = o.maxDeltaTokens ?? 100_000;
  const maxRounds = o.maxRounds ?? 32;
  const maxLog = o.maxRequestLog ?? 100_000;
  const skipTokens = new Map<string, SkipTokenState>();
  const deltaTokens = new Map<string, DeltaTokenState>();
  const rounds: Round[] = [];
  const requests: RequestLogEntry[] = [];
  const faults = new Faults();
  const throttle = new Throttle(now, o.violationToleranceMs ?? 1);
  const reportsThrottle = new Throttle(now, o.violationToleranceMs ?? 1);
  const resources: SimResource[] = [
    createDirectoryResource(tenant, { seed: o.seed ?? 1, now, ...(o.listing ? { listing: o.listing } : {}), ...(o.directory ?? {}) }),
    createAuditResource(tenant, { seed: o.seed ?? 1, now }),
    // After the audit resource, which answers the GET /users that select signInActivity.
    createTenantListResource(tenant, { seed: o.seed ?? 1, now, skipTokenTtlMs: skipTtl, maxSkipTokens: maxSkip, ...(o.listing ? { listing: o.listing } : {}) }),
  ];

  const newToken = (): string => randomBytes(24).toString('base64url');
  const bounded = <V>(m: Map<string, V>, max: number): void => {
    while (m.size > max) m.delete(m.keys().next().value as string);
  };

  function startRound(kind: Collection, selection: Selection, filterRaw: string | null, filterIds: Set<string> | null, fromSeq: number | null): Round {
    const seq = tenant.seq;
    const items = fromSeq === null ? fullRoundItems(tenant, kind, selection, filterIds) : deltaRoundItems(tenant, kind, selection, filterIds, fromSeq);
    const pages = planPages(items, rng, {
      units: kind === 'users' ? (o.userPageUnits ?? [100, 200]) : (o.groupPageUnits ?? [200, 3000]),
      emptyPageRate: o.emptyPageRate ?? 0,
      replayRate: o.replayRate ?? 0,
      shuffle: o.shuffle ?? true,
    });
    const round: Round = { kind, selection, filterRaw, filterIds, seq, items, pages, pageTokens: new Map() };
    rounds.push(round);
    // Dropping a round makes its remaining nextLinks unknown, which answers as expired.
    while (rounds.length > maxRounds) {
      const old = rounds.shift()!;
      for (const tok of old.pageTokens.values()) skipTokens.delete(tok);
    }
    return round;
  }

  function servePage(round: Round, page: number, origin: string): string {
    const base = `${origin}/v1.0/${round.kind}/delta`;
    if (page < round.pages.length - 1) {
      let tok = round.pageTokens.get(page + 1);
      if (!tok) {
        tok = newToken();
        round.pageTokens.set(page + 1, tok);
        skipTokens.set(tok, { round, page: page + 1, createdAt: now() });
        bounded(skipTokens, maxSkip);
      }
      return renderPage(tenant, round, round.pages[page]!, origin, { next: `${base}?$skiptoken=${tok}` });
    }
    if (!round.deltaToken) {
      round.deltaToken = issueDeltaToken(round.kind, round.seq, round.selection, round.filterRaw, round.filterIds);
    }
    return renderPage(tenant, round, round.pages[page]!, origin, { delta: `${base}?$deltatoken=${round.deltaToken}` });
  }

  function issueDeltaToken(kind: Collection, seq: number, selection: Selection, filterRaw: string | null, filterIds: Set<string> | null): string {
    const tok = newToken();
    deltaTokens.set(tok, { kind, seq, selection, filterRaw, filterIds, createdAt: now() });
    bounded(deltaTokens, maxDelta);
    return tok;
  }

  function delta(req: SimRequest, kind: Collection, ctx: ResponseContext, roles: string[]): SimResponse {
    const needed = kind === 'users' ? READ_USERS : READ_GROUPS;
    if (!roles.some((r) => needed.includes(r))) {
      return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', ctx);
    }
    const params = new Map<string, string>();
    for (const [k, v] of req.url.searchParams) {
      const key = k.toLowerCase();
      if (!KNOWN_OPTIONS.has(key)) {
        return graphError(400, 'Request_BadRequest', `Query option '${k}' is not supported for delta queries on ${kind}.`, ctx);
      }
      params.set(key, v);
    }
    const origin = req.url.origin;
    const skip = params.get('$skiptoken');
    if (skip !== undefined) {
      if (params.has('$select') || params.has('$filter') || params.has('$deltatoken')) {
        return graphError(400, 'Request_BadRequest', '$skiptoken cannot be combined with other query options.', ctx);
      }
      const st = skipTokens.get(skip);
      if (!st || st.expired || st.round.kind !== kind || now() - st.createdAt > skipTtl) {
        return graphError(400, 'Directory_ExpiredPageToken', 'The specified page token value has expired and can no longer be included in your request.', ctx);
      }
      return ok(servePage(st.round, st.page, origin));
    }
    const dt = params.get('$deltatoken');
    if (dt !== undefined && dt !== '' && dt.toLowerCase() !== 'latest') {
      const state = deltaTokens.get(dt);
      if (!state || state.kind !== kind || now() - state.createdAt > deltaTtl || state.expired === 'syncStateNotFound') {
        return graphError(400, 'syncStateNotFound', 'The sync state generation is not found. The delta token is expired and data must be synchronized again.', ctx);
      }
      if (state.expired === 'resyncRequired') {
        return graphError(400, 'resyncRequired', 'The delta token is no longer valid. The application must reset the sync state.', ctx);
      }
      if (state.expired === 'gone') {
        const q: string[] = [];
        if (state.selection.raw) q.push(`$select=${encodeURIComponent(state.selection.raw)}`);
        if (state.filterRaw) q.push(`$filter=${encodeURIComponent(state.filterRaw)}`);
        q.push('$deltatoken=');
        return graphError(410, 'resyncRequired', 'The delta token is no longer valid; a full synchronization is required.', ctx, {
          location: `${origin}/v1.0/${kind}/delta?${q.join('&')}`,
        });
      }
      let selection = state.selection;
      if (params.has('$select')) {
        const s = parseSelect(kind, params.get('$select')!);
        if (!s.ok) return graphError(400, s.code, s.message, ctx);
        selection = s.selection;
      }
      const round = startRound(kind, selection, state.filterRaw, state.filterIds, state.seq);
      return ok(servePage(round, 0, origin));
    }
    const s = parseSelect(kind, params.get('$select') ?? null);
    if (!s.ok) return graphError(400, s.code, s.message, ctx);
    const filterRaw = params.get('$filter') ?? null;
    let filterIds: Set<string> | null = null;
    if (filterRaw !== null) {
      filterIds = parseIdFilter(filterRaw);
      if (!filterIds) {
        return graphError(400, 'Request_UnsupportedQuery', "Only 'id eq' filters joined with 'or' (at most 50) are supported for delta queries.", ctx);
      }
    }
    if (dt?.toLowerCase() === 'latest') {
      const tok = issueDeltaToken(kind, tenant.seq, s.selection, filterRaw, filterIds);
      return ok(`{"@odata.context":${JSON.stringify(`${origin}/v1.0/$metadata#${kind}`)},"value":[],"@odata.deltaLink":${JSON.stringify(`${origin}/v1.0/${kind}/delta?$deltatoken=${tok}`)}}`);
    }
    const round = startRound(kind, s.selection, filterRaw, filterIds, null);
    return ok(servePage(round, 0, origin));
  }

  function ok(body: string): SimResponse {
    return { status: 200, headers: { 'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8' }, body };
  }

  /** Set by route when the answer was spoiled (handle and route are synchronous). */
  let spoiledBy: string | undefined;

  function route(req: SimRequest, ctx: ResponseContext, hasAuth: boolean): SimResponse {
    const pathAndQuery = req.url.pathname + req.url.search;
    const fault = faults.peek(pathAndQuery);
    if (fault && !spoilsPage(fault)) {
      faults.fire(fault);
      if (fault.reset) return { status: 0, reset: true };
      const status = fault.status ?? 500;
      const headers = { ...(fault.headers ?? {}) };
      const retryAfter = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
      if (status === 429 && retryAfter !== undefined) {
        (throttleScopeOf(req.url.pathname) === 'reports' ? reportsThrottle : throttle).recordRetryAfter(retryAfter, now());
      }
      if (fault.body !== undefined) {
        return typeof fault.body === 'string'
          ? { status, headers: { 'content-type': 'application/json', ...headers }, body: fault.body }
          : json(status, fault.body, headers);
      }
      return graphError(status, fault.graphCode ?? defaultCode(status), defaultMessage(status), ctx, headers);
    }
    const res = serve(req, ctx, hasAuth, pathAndQuery);
    // A spoiled 200 replaces a page that was really served (tokens issued, round started), so a
    // retry of the same URL gets the good page.
    if (fault && res.status === 200) {
      faults.fire(fault);
      spoiledBy = fault.spoil ?? 'resetAfterHeaders';
      return spoilResponse(res, fault);
    }
    return res;
  }

  function serve(req: SimRequest, ctx: ResponseContext, hasAuth: boolean, pathAndQuery: string): SimResponse {
    const auth = req.headers.get('authorization');
    const verdict = hasAuth ? args.verifyBearer(auth, req.url.origin) : null;
    if (!verdict || !verdict.ok) {
      const message = verdict && !verdict.ok ? verdict.message : 'Access token is empty.';
      return graphError(401, 'InvalidAuthenticationToken', message, ctx, { 'www-authenticate': WWW_AUTHENTICATE });
    }
    const decision = (throttleScopeOf(req.url.pathname) === 'reports' ? reportsThrottle : throttle).check(pathAndQuery);
    if (decision) {
      const body = graphErrorBody('TooManyRequests', 'Please retry again later.', ctx, { code: '429', message: 'Please retry after', status: '429' });
      const headers: Record<string, string> = {
        'x-ms-throttle-scope': `Tenant_Application/ReadWrite/${verdict.claims.appid}/${verdict.claims.tid}`,
        'x-ms-throttle-information': 'ResourceUnitLimitExceeded',
      };
      if (decision.retryAfter !== undefined) headers['retry-after'] = decision.retryAfter;
      return json(429, body, headers);
    }
    if (/^\/v1\.0\/\$batch\/?$/i.test(req.url.pathname)) {
      if (req.method !== 'POST') return graphError(405, 'Request_BadRequest', 'The specified HTTP method is not allowed for the request target.', ctx);
      return serveBatch(req, ctx, (sub, subCtx) => {
        const res = route(sub, subCtx, true);
        log(sub, res, subCtx.clientRequestId, true);
        return res;
      });
    }
    const m = DELTA_PATH.exec(req.url.pathname);
    if (m) {
      if (req.method !== 'GET') return graphError(405, 'Request_BadRequest', 'The specified HTTP method is not allowed for the request target.', ctx);
      return delta(req, m[1]!.toLowerCase() as Collection, ctx, verdict.claims.roles);
    }
    const path = req.url.pathname.slice('/v1.0'.length);
    for (const r of resources) {
      const res = r.handle({ req, ctx, path, origin: req.url.origin, roles: verdict.claims.roles });
      if (res) return res;
    }
    return graphError(404, 'Request_ResourceNotFound', `Resource not found for the segment '${req.url.pathname.split('/').pop() ?? ''}'.`, ctx);
  }

  const handle: SimHandler = (req) => {
    if (!req.url.pathname.startsWith('/v1.0/')) return undefined;
    const requestId = randomUUID();
    const clientRequestId = req.headers.get('client-request-id');
    const at = now();
    const ctx: ResponseContext = { requestId, clientRequestId: clientRequestId ?? requestId, date: new Date(at).toISOString().replace(/\.\d+Z$/, 'Z') };
    const hasAuth = req.headers.has('authorization');
    let res: SimResponse;
    spoiledBy = undefined;
    try {
      res = route(req, ctx, hasAuth);
    } catch (err) {
      res = graphError(500, 'generalException', `Simulation error: ${(err as Error).message}`, ctx);
    }
    res.headers = {
      ...res.headers,
      'request-id': requestId,
      'client-request-id': ctx.clientRequestId,
      'x-ms-ags-diagnostic': '{"ServerInfo":{"DataCenter":"Loopback","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"SIM"}}',
      date: new Date(at).toUTCString(),
    };
    log(req, res, clientRequestId, false);
    return res;
  };

  function log(req: SimRequest, res: SimResponse, clientRequestId: string | null, batched: boolean): void {
    requests.push({
      at: now(), method: req.method, path: req.url.pathname + req.url.search, status: res.reset ? 0 : res.status, clientRequestId,
      hasAuthorization: req.headers.has('authorization'), ...(spoiledBy ? { spoiled: spoiledBy } : {}), ...(batched ? { batched } : {}),
    });
    if (requests.length > maxLog + Math.ceil(maxLog / 10)) requests.splice(0, requests.length - maxLog);
  }

  return {
    handle,
    faults,
    throttle,
    reportsThrottle,
    requests,
    expireSkipTokens() {
      for (const st of skipTokens.values()) st.expired = true;
      tenant.audit.expireSkipTokens();
      tenant.directory.expireSkipTokens();
    },
    expireDeltaTokens(kind) {
      for (const st of deltaTokens.values()) st.expired = kind;
      tenant.directory.expireDeltaTokens();
    },
    stats: () => ({ rounds: rounds.length, skipTokens: skipTokens.size, deltaTokens: deltaTokens.size, requests: requests.length }),
  };
}

function defaultCode(status: number): string {
  switch (status) {
    case 401: return 'InvalidAuthenticationToken';
    case 403: return 'Authorization_RequestDenied';
    case 404: return 'Request_ResourceNotFound';
    case 429: return 'TooManyRequests';
    case 500: return 'generalException';
    case 502: return 'UnknownError';
    case 503: return 'serviceNotAvailable';
    case 504: return 'UnknownError';
    default: return status >= 500 ? 'generalException' : 'Request_BadRequest';
  }
}

function defaultMessage(status: number): string {
  switch (status) {
    case 401: return 'Access token has expired or is not yet valid.';
    case 403: return 'Insufficient privileges to complete the operation.';
    case 429: return 'Please retry again later.';
    case 500: return 'An unspecified error has occurred.';
    case 502: return 'The gateway received an invalid response from the upstream server.';
    case 503: return 'The service is temporarily unavailable. Please retry later.';
    case 504: return 'The gateway timed out.';
    default: return 'Simulated failure.';
  }
}
