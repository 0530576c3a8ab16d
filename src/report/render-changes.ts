import { html, type Html } from './escape-html.js';
import { fmt, section, table } from './render-parts.js';
import type { ChangeGroup, ReportFindings } from './report-findings.js';

const show = (v: unknown): string => (v === null || v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

function groups(rows: readonly ChangeGroup[], limit: number, verb: string): Html {
  return table(['What', 'Kind', ['Holders', 'num'], 'Who (first few)', 'Id'], rows, (g) => html`
<td title="${g.targetType} ${g.targetId}">${g.targetName ?? g.targetId}${g.scope && g.scope !== '/' ? html`<span class="sub">scope ${g.scope}</span>` : ''}</td>
<td>${g.rank <= 2 ? html`<span class="tag bad">${g.label}</span>` : g.label}<span class="sub">${g.relation}</span></td>
<td class="num">${fmt(g.count)}${g.undone > 0 ? html`<span class="sub">${fmt(g.undone)} undone</span>` : ''}</td><td>${g.holders.join(', ')}${g.count > g.holders.length ? ' ...' : ''}</td><td class="id">${g.targetId}</td>`,
  limit, `Nothing was ${verb}.`);
}

/** Section 6: the diff of the last complete run against the one before, biggest grants first. */
export function renderChanges(f: ReportFindings, limit: number): Html {
  const c = f.changes;
  if (!c.available) return section('changes', '6. Changes since the previous run', html`<p class="note">Not available: ${c.reason}</p>`);
  const w = c.window!;
  const n = c.counts;
  return section('changes', '6. Changes since the previous run', [
    html`<p>Runs ${w.runs.map((r) => `#${r}`).join(', ')} (after ${w.fromRun === null ? 'the beginning' : `run #${w.fromRun}`}, up to run #${w.toRun}${w.toTime ? `, ended ${w.toTime}` : ''}): ${fmt(n.granted)} access granted, ${fmt(n.removed)} removed; ${fmt(n.created)} objects created, ${fmt(n.deleted)} deleted, ${fmt(n.restored)} restored, ${fmt(n.changed)} property changes.${n.baselineLinks > 0 ? ` First rounds read ${fmt(n.baselineLinks)} links (the starting point, not listed).` : ''} The most privileged grants first, then the largest.</p>`,
    html`<h3>Granted</h3>`, groups(c.granted, limit, 'granted'),
    html`<h3>Removed</h3>`, groups(c.removed, limit, 'removed'),
    html`<h3>Property changes</h3>`,
    table(['Object', 'Property', 'From', 'To', 'When', 'Id'], c.properties, (p) => html`
<td title="${p.type} ${p.id}">${p.name ?? p.id}<span class="sub">${p.type}</span></td><td>${p.property}</td><td>${show(p.old)}</td><td>${show(p.new)}</td><td>${p.time.slice(0, 16).replace('T', ' ')}</td><td class="id">${p.id}</td>`,
    limit, 'No review-relevant property changed.'),
  ]);
}
