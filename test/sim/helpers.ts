import type { VerifyResult } from '../../src/sim/login/login-sim-types.js';
import type { GraphSim } from '../../src/sim/graph/graph-sim.js';
import type { SimResponse } from '../../src/sim/sim-http.js';

export const ORIGIN = 'https://graph.sim.test';
export const ALL_ROLES = 'Bearer good-User.Read.All,GroupMember.Read.All';

/** Fake verifier for these tests: `Bearer good-<comma separated roles>` is valid for any audience. */
export function fakeVerify(header: string | null, audience: string): VerifyResult {
  const m = /^Bearer good-(.*)$/.exec(header ?? '');
  if (!m) return { ok: false, status: 401, code: 'InvalidAuthenticationToken', message: 'Access token validation failure.' };
  return { ok: true, claims: { tid: 't', appid: 'a', roles: (m[1] ?? '').split(',').filter(Boolean), aud: audience, exp: 0 } };
}

export async function get(sim: GraphSim, url: string, auth: string | null = ALL_ROLES, extra: Record<string, string> = {}): Promise<SimResponse & { json: any }> {
  const headers = new Headers(extra);
  if (auth !== null) headers.set('authorization', auth);
  const res = (await sim.handle({ method: 'GET', url: new URL(url), headers, body: '' }))!;
  return { ...res, json: res.body ? JSON.parse(res.body) : undefined };
}

export interface Merged {
  objects: Map<string, any>;
  removed: Map<string, string>;
  members: Map<string, Map<string, { type: string; removed: boolean }>>;
  owners: Map<string, Map<string, { type: string; removed: boolean }>>;
  manager: Map<string, { id: string; removed: boolean }>;
  appearances: Map<string, number>;
  pages: any[];
  deltaLink: string;
}

/** Follows nextLinks from url to the deltaLink and merges what it saw. */
export async function runRound(sim: GraphSim, url: string): Promise<Merged> {
  const m: Merged = { objects: new Map(), removed: new Map(), members: new Map(), owners: new Map(), manager: new Map(), appearances: new Map(), pages: [], deltaLink: '' };
  let next: string | undefined = url;
  for (let i = 0; next && i < 100_000; i++) {
    const res = await get(sim, next);
    if (res.status !== 200) throw new Error(`${res.status} ${res.body}`);
    const page = res.json;
    m.pages.push(page);
    for (const o of page.value) {
      m.appearances.set(o.id, (m.appearances.get(o.id) ?? 0) + 1);
      if (o['@removed']) { m.removed.set(o.id, o['@removed'].reason); continue; }
      const { ['members@delta']: mem, ['owners@delta']: own, ['manager@delta']: mgr, ...props } = o;
      m.objects.set(o.id, props);
      for (const [list, target] of [[mem, m.members], [own, m.owners]] as const) {
        if (!list) continue;
        let s = target.get(o.id);
        if (!s) target.set(o.id, (s = new Map()));
        for (const l of list) s.set(l.id, { type: l['@odata.type'], removed: !!l['@removed'] });
      }
      if (mgr) for (const l of mgr) m.manager.set(o.id, { id: l.id, removed: !!l['@removed'] });
    }
    if (page['@odata.nextLink'] && page['@odata.deltaLink']) throw new Error('page with both links');
    next = page['@odata.nextLink'];
    if (page['@odata.deltaLink']) m.deltaLink = page['@odata.deltaLink'];
  }
  return m;
}
