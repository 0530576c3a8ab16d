/**
 * The opt-in "graph profile" of the simulation (sim-process --profile graph): Graph's latency and
 * limits around an unchanged GraphSim, for the benchmark (issue 13). Off unless asked for:
 * - latency: a fixed delay per request plus a delay per item (object or link entry, counted as the
 *   `"id":` occurrences in the answer) before the answer is sent;
 * - the identity resource-unit budget (ru-budget.ts): `x-ms-resource-unit` on every charged answer,
 *   429 + Retry-After when the bucket cannot pay, each `$batch` item charged and refused on its own
 *   (graph-facts 3.4: a 200 envelope with 429 items); the envelope itself costs nothing;
 * - the reports limit: 5 requests per 10 s with an integer Retry-After (graph-facts 3.3), set on
 *   the GraphSim's reportsThrottle.
 */
import { randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse } from '../sim-http.js';
import { graphErrorBody, type ResponseContext } from './graph-error.js';
import type { GraphSim } from './graph-sim.js';
import { RuBudget, resourceUnitCost, type RuDecision } from './ru-budget.js';
import { throttleScopeOf } from './sim-resource.js';
import { listKey } from './list-key.js';

export interface GraphProfileOptions {
  /** Delay per request (ms), default 100. */
  latencyMs?: number;
  /** Delay per object or link entry on the page (ms), default 0.05. */
  rowLatencyMs?: number;
  /** Identity RU budget per 10 s, default 8,000 (a tenant of more than 500 users); 0 = no budget. */
  ruBudget?: number;
  /** The budget's window (ms), default Graph's 10,000; tests scale time down with a shorter one. */
  ruWindowMs?: number;
  /** Set the reports limit (5 requests / 10 s) on graph.reportsThrottle, default true. */
  reportsLimit?: boolean;
  /** For x-ms-throttle-scope on the budget's 429s. */
  appId?: string;
  tenantId?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface GraphProfileStats {
  requests: number;
  ruUsed: number;
  ruBudget: number;
  /** Every 429 answered (budget, reports limit, faults), $batch items included. */
  throttled: number;
  /** 429s of the RU budget. */
  ruRefused: number;
  /** Requests inside an announced Retry-After window: RU budget, identity Throttle, reports Throttle. */
  violations: number;
  ruViolations: number;
  /** Latency added, summed over requests (ms). */
  latencyAddedMs: number;
  /** The pages and items served per delta collection (users, groups, servicePrincipals, ...), $batch items included. */
  delta: Record<string, { pages: number; items: number }>;
  /**
   * The pages and items (entries of `value`) served per plain listing, $batch items included, keyed by
   * the path without ids (listKey): users, groups, groups/members, groups/owners, administrativeUnits,
   * administrativeUnits/members, directoryRoles, directoryRoles/members, servicePrincipals/owners, ...;
   * GET /users selecting signInActivity counts as users/signInActivity.
   */
  list: Record<string, { pages: number; items: number }>;
}

export interface GraphProfile {
  handle(req: SimRequest): Promise<SimResponse | undefined>;
  budget: RuBudget | undefined;
  stats(): GraphProfileStats;
  options: Required<Pick<GraphProfileOptions, 'latencyMs' | 'rowLatencyMs' | 'ruBudget'>>;
}

const DELTA = /^\/v1\.0\/(users|groups|servicePrincipals|applications|directoryRoles|administrativeUnits)\/(?:microsoft\.graph\.)?delta(?:\(\))?\/?$/i;
const BATCH = /^\/v1\.0\/\$batch\/?$/i;

/** Objects and link entries in a page (each carries an `"id":`): the unit the row latency is priced by. */
export function countIds(text: string | undefined): number {
  if (!text) return 0;
  let n = 0;
  for (let i = text.indexOf('"id":'); i !== -1; i = text.indexOf('"id":', i + 5)) n++;
  return n;
}

interface BatchItem { id: string; method: string; url: string; [k: string]: unknown }
interface BatchAnswer { id: string; status: number; headers?: Record<string, string>; body?: unknown }

export function createGraphProfile(graph: GraphSim, opts: GraphProfileOptions = {}): GraphProfile {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const options = { latencyMs: opts.latencyMs ?? 100, rowLatencyMs: opts.rowLatencyMs ?? 0.05, ruBudget: opts.ruBudget ?? 8000 };
  const budget = options.ruBudget > 0 ? new RuBudget(now, options.ruBudget, 1, 25, opts.ruWindowMs ?? 10_000) : undefined;
  if (opts.reportsLimit ?? true) graph.reportsThrottle.set({ perWindow: { requests: 5, seconds: 10 }, retryAfter: 'integer' });
  const scopeHeader = `Tenant_Application/ReadWrite/${opts.appId ?? 'sim-app'}/${opts.tenantId ?? 'sim-tenant'}`;
  let requests = 0;
  let throttled = 0;
  let latencyAddedMs = 0;
  const delta: Record<string, { pages: number; items: number }> = {};
  const list: Record<string, { pages: number; items: number }> = {};

  const tooManyHeaders = (d: RuDecision): Record<string, string> => ({
    'content-type': 'application/json',
    'retry-after': d.retryAfter!,
    'x-ms-throttle-scope': scopeHeader,
    'x-ms-throttle-information': 'ResourceUnitLimitExceeded',
  });
  const tooManyBody = (ctx: ResponseContext) => graphErrorBody('TooManyRequests', 'Please retry again later.', ctx, { code: '429', message: 'Please retry after', status: '429' });
  const newCtx = (req: SimRequest): ResponseContext => {
    const requestId = randomUUID();
    return { requestId, clientRequestId: req.headers.get('client-request-id') ?? requestId, date: new Date(now()).toISOString().replace(/\.\d+Z$/, 'Z') };
  };
  const chargedHeaders = (cost: number, usage: number): Record<string, string> => ({
    'x-ms-resource-unit': String(cost),
    ...(usage > 0.8 ? { 'x-ms-throttle-limit-percentage': Math.min(1.8, usage).toFixed(2) } : {}),
  });
  const noteDelta = (pathname: string, items: number): void => {
    const m = DELTA.exec(pathname);
    if (!m) return;
    const d = (delta[m[1]!] ??= { pages: 0, items: 0 });
    d.pages++;
    d.items += items;
  };

  /** A 200 of a plain listing: one page, as many items as its `value` holds (body: JSON text or parsed, from $batch). */
  const noteList = (pathname: string, body: unknown): void => {
    const key = listKey(pathname);
    if (key === null) return;
    let page: unknown = body;
    if (typeof body === 'string') {
      try {
        page = JSON.parse(body);
      } catch {
        return; // a spoiled page
      }
    }
    const value = (page as { value?: unknown } | null)?.value;
    if (!Array.isArray(value)) return;
    const ctx = (page as Record<string, unknown>)['@odata.context'];
    const name = key === 'users' && typeof ctx === 'string' && /signInActivity/i.test(ctx) ? 'users/signInActivity' : key;
    const l = (list[name] ??= { pages: 0, items: 0 });
    l.pages++;
    l.items += value.length;
  };

  /** `refusals`: the 429s this answer carries, told to the budget once the answer is delivered. */
  async function single(req: SimRequest, refusals: RuDecision[]): Promise<SimResponse | undefined> {
    const charge = budget && req.headers.has('authorization') && throttleScopeOf(req.url.pathname) === 'identity';
    if (!charge) return graph.handle(req);
    const cost = resourceUnitCost(req.method, req.url.pathname.slice('/v1.0'.length), req.url.search);
    const d = budget.take(cost, req.url.pathname + req.url.search);
    if (!d.ok) {
      refusals.push(d);
      const ctx = newCtx(req);
      return {
        status: 429,
        headers: { ...tooManyHeaders(d), 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId, date: new Date(now()).toUTCString() },
        body: JSON.stringify(tooManyBody(ctx)),
      };
    }
    const res = await graph.handle(req);
    // A request refused before it was served (401) is given back; a throttled one is not: "throttled
    // requests still count against usage" (https://learn.microsoft.com/graph/throttling).
    if (!res || res.status === 401) {
      budget.refund(cost);
      return res;
    }
    res.headers = { ...res.headers, ...chargedHeaders(cost, d.usage) };
    return res;
  }

  async function batch(req: SimRequest, refusals: RuDecision[]): Promise<SimResponse | undefined> {
    let items: BatchItem[];
    try {
      const parsed = JSON.parse(req.body) as { requests?: unknown };
      if (!Array.isArray(parsed.requests) || parsed.requests.length === 0) return graph.handle(req);
      items = parsed.requests as BatchItem[];
      if (items.some((it) => typeof it?.id !== 'string' || typeof it.url !== 'string' || typeof it.method !== 'string')) return graph.handle(req);
    } catch {
      return graph.handle(req);
    }
    const urlOf = (it: BatchItem) => new URL(`${req.url.origin}/v1.0${it.url.startsWith('/') ? it.url : `/${it.url}`}`);
    const charged = new Map<string, RuDecision & { cost: number }>();
    const refused: BatchAnswer[] = [];
    const accepted: BatchItem[] = [];
    const ctx = newCtx(req);
    for (const it of items) {
      const u = urlOf(it);
      if (!budget || !req.headers.has('authorization') || /^https?:/i.test(it.url) || throttleScopeOf(u.pathname) !== 'identity') {
        accepted.push(it);
        continue;
      }
      const cost = resourceUnitCost(it.method, u.pathname.slice('/v1.0'.length), u.search);
      const d = budget.take(cost, u.pathname + u.search);
      if (d.ok) {
        charged.set(it.id.toLowerCase(), { ...d, cost });
        accepted.push(it);
      } else {
        refusals.push(d);
        refused.push({ id: it.id, status: 429, headers: tooManyHeaders(d), body: tooManyBody(ctx) });
      }
    }
    let res: SimResponse | undefined;
    if (accepted.length === 0) {
      res = { status: 200, headers: { 'content-type': 'application/json', 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId, date: new Date(now()).toUTCString() }, body: JSON.stringify({ responses: [] }) };
    } else {
      const forwarded = accepted.length === items.length ? req : { ...req, body: JSON.stringify({ ...(JSON.parse(req.body) as object), requests: accepted }) };
      res = await graph.handle(forwarded);
    }
    if (!res || res.status !== 200 || !res.body) {
      for (const c of charged.values()) budget!.refund(c.cost);
      return res;
    }
    let envelope: { responses?: BatchAnswer[] };
    try {
      envelope = JSON.parse(res.body) as { responses?: BatchAnswer[] };
    } catch {
      return res;
    }
    if (!Array.isArray(envelope.responses)) return res;
    const byId = new Map(items.map((it) => [it.id.toLowerCase(), it]));
    for (const r of envelope.responses) {
      const c = charged.get(String(r.id).toLowerCase());
      if (c) {
        if (r.status === 401) budget!.refund(c.cost);
        else r.headers = { ...r.headers, ...chargedHeaders(c.cost, c.usage) };
      }
      const it = byId.get(String(r.id).toLowerCase());
      if (it && r.status === 200 && !/^https?:/i.test(it.url)) {
        noteDelta(urlOf(it).pathname, countIds(JSON.stringify(r.body ?? '')));
        noteList(urlOf(it).pathname, r.body);
      }
    }
    envelope.responses.push(...refused);
    throttled += envelope.responses.filter((r) => r.status === 429).length;
    return { ...res, body: JSON.stringify(envelope) };
  }

  async function handle(req: SimRequest): Promise<SimResponse | undefined> {
    if (!req.url.pathname.startsWith('/v1.0/')) return graph.handle(req);
    requests++;
    const isBatch = BATCH.test(req.url.pathname) && req.method === 'POST';
    const refusals: RuDecision[] = [];
    const res = isBatch ? await batch(req, refusals) : await single(req, refusals);
    if (!res) return res;
    const items = countIds(res.body);
    if (!isBatch) {
      if (res.status === 429) throttled++;
      if (res.status === 200) {
        noteDelta(req.url.pathname, items);
        noteList(req.url.pathname, res.body);
      }
    }
    const wait = options.latencyMs + options.rowLatencyMs * items;
    if (wait > 0) {
      latencyAddedMs += wait;
      await sleep(wait);
    }
    // Only now does the client hear of the windows this answer announces (ru-budget.ts, delivered()).
    for (const d of refusals) budget!.delivered(d);
    return res;
  }

  return {
    handle,
    budget,
    options,
    stats() {
      const ruViolations = budget?.violations().length ?? 0;
      return {
        requests, ruUsed: budget?.used ?? 0, ruBudget: options.ruBudget, throttled, ruRefused: budget?.refused ?? 0, ruViolations,
        violations: ruViolations + graph.throttle.violations().length + graph.reportsThrottle.violations().length,
        latencyAddedMs: Math.round(latencyAddedMs), delta: structuredClone(delta), list: structuredClone(list),
      };
    },
  };
}
