import type { Tenant } from '../tenant/tenant.js';
import type { Part, Round, RoundItem } from './rounds.js';

const q = JSON.stringify;

/** Serialises one page by string building: pages of the benchmark carry thousands of link entries. */
export function renderPage(t: Tenant, round: Round, parts: Part[], origin: string, link: { next?: string; delta?: string }): string {
  const values: string[] = [];
  for (const p of parts) values.push(renderPart(t, round, round.items[p.i]!, p));
  const sel = round.selection;
  const ctxSel = sel.raw ? `(${[...sel.props, ...(sel.manager ? ['manager'] : []), ...(sel.members ? ['members'] : []), ...(sel.owners ? ['owners'] : [])].join(',')})` : '';
  let out = `{"@odata.context":${q(`${origin}/v1.0/$metadata#${round.kind}${ctxSel}`)}`;
  if (link.next) out += `,"@odata.nextLink":${q(link.next)}`;
  out += `,"value":[${values.join(',')}]`;
  if (link.delta) out += `,"@odata.deltaLink":${q(link.delta)}`;
  return out + '}';
}

/** A removed delta item: its id and `@removed` with the reason (https://learn.microsoft.com/graph/delta-query-overview). */
export function renderRemoved(item: RoundItem & { kind: 'removed' }): string {
  return `{"id":${q(item.id)},"@removed":{"reason":"${item.reason}"}}`;
}

/** An object's JSON up to its links: its id and the selected properties it has, left open. */
export function renderObjectStart(item: RoundItem & { kind: 'object' }, props: readonly string[]): string {
  let s = `{"id":${q(item.id)}`;
  for (const name of props) {
    const v = item.props[name];
    if (v !== undefined) s += `,${q(name)}:${q(v)}`;
  }
  return s;
}

function renderPart(t: Tenant, round: Round, item: RoundItem, p: Part): string {
  if (item.kind === 'removed') return renderRemoved(item);
  let s = renderObjectStart(item, round.selection.props);
  if (p.b > p.a) {
    const firstName = round.kind === 'users' ? 'manager@delta' : 'members@delta';
    const first = slice(t, item, p.a, Math.min(p.b, item.nFirst));
    const second = slice(t, item, Math.max(p.a, item.nFirst), p.b);
    if (first) s += `,"${firstName}":[${first}]`;
    if (second) s += `,"owners@delta":[${second}]`;
  }
  return s + '}';
}

function slice(t: Tenant, item: RoundItem & { kind: 'object' }, a: number, b: number): string {
  if (b <= a) return '';
  const out: string[] = [];
  for (let i = a; i < b; i++) {
    const id = item.links[i]!;
    const type = t.typeOf(id) ?? 'directoryObject';
    out.push(item.removed?.has(i)
      ? `{"@odata.type":"#microsoft.graph.${type}","id":"${id}","@removed":{"reason":"deleted"}}`
      : `{"@odata.type":"#microsoft.graph.${type}","id":"${id}"}`);
  }
  return out.join(',');
}
