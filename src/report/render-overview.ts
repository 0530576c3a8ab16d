import { html, type Html } from './escape-html.js';
import { age } from './freshness.js';
import { day, fmt, section, table } from './render-parts.js';
import type { ReportFindings } from './report-findings.js';
import { columnsAroundAxis, horizontalBars } from './svg-charts.js';

const KIND_LABELS: Record<string, string> = {
  group: 'Group memberships', directoryRole: 'Directory roles', roleAssignment: 'Role assignments', administrativeUnit: 'Administrative units',
  appRole: 'App roles', license: 'Licenses', owner: 'Ownerships', delegatedGrant: 'Delegated grants',
};

export const SECTIONS: [string, string][] = [
  ['summary', 'Summary'], ['freshness', 'Freshness'], ['privileged', 'Privileged access'], ['dormant', 'Dormant access'],
  ['guests', 'Guests'], ['disabled', 'Disabled with access'], ['leavers', 'Leavers'], ['credentials', 'Credentials'],
  ['ownerless', 'Owners'], ['changes', 'Changes'],
];

/** The title block, the warnings a stale report must show first, and the table of contents. */
export function renderHeader(f: ReportFindings): Html {
  const fr = f.freshness;
  const asOf = fr.lastRun ? html`data as of run #${fr.lastRun.id} (${fr.lastRun.outcome}, ended ${fr.lastRun.endedAt ?? 'not recorded'})` : 'no finished run';
  const alerts = fr.warnings.length === 0 ? ''
    : html`<div class="alerts" role="alert"><h2>Read this first: some data is stale or incomplete</h2><ul>${fr.warnings.map((w) => html`<li>${w}</li>`)}</ul></div>`;
  return html`<header><h1>Access review of tenant ${fr.tenantId ?? '(unknown)'}</h1>
<p class="meta">Generated ${f.generatedAt}; ${asOf}. Dormant after ${fmt(f.options.dormantDays)} days without a successful sign-in; credentials expiring within ${fmt(f.options.expiryDays)} days.</p>
${alerts}<nav>${SECTIONS.map(([id, title]) => html`<a href="#${id}">${title}</a>`)}</nav></header>`;
}

/** Counts at a glance, and the charts: access by kind, sign-in recency of access holders, changes per run. */
export function renderSummary(f: ReportFindings): Html {
  const s = f.summary;
  const card = (n: number, label: string, bad = false) => html`<div class="card${bad && n > 0 ? ' bad' : ''}"><b>${fmt(n)}</b>${label}</div>`;
  const cards = [
    card(s.users, `users (${fmt(s.guests)} guests, ${fmt(s.disabledUsers)} disabled)`),
    card(s.servicePrincipals, 'service principals'),
    card(s.groups, 'groups'),
    card(f.privileged.globalAdministrators, 'Global Administrators', f.privileged.globalAdministrators > 5),
    card(f.privileged.privilegedHolders, 'holders of privileged roles'),
    card(new Set(f.privileged.appPermissions.map((p) => p.holder.id)).size, 'apps with high-privilege Graph permissions', true),
    card(f.dormant.rows.length, 'dormant accounts with access', true),
    card(f.guests.rows.length, 'guests with access'),
    card(f.disabledWithAccess.rows.length, 'disabled accounts with access', true),
    card(f.leavers.rows.length, 'leavers still enabled', true),
    card(f.credentials.rows.filter((c) => c.status === 'expiring').length, `credentials expiring within ${fmt(f.options.expiryDays)} days`, true),
    card(f.ownerless.rows.filter((o) => o.reason === 'noOwner').length, 'apps without an owner', true),
  ];
  const byKind = horizontalBars('Access held, by kind (users and service principals; groups counted transitively)',
    Object.entries(s.accessByKind).map(([k, v]) => ({ label: KIND_LABELS[k] ?? k, value: v })));
  const recency = horizontalBars('Users holding access, by their last successful sign-in', s.signInRecency.map((b) => ({ label: b.bucket, value: b.users })));
  const runs = columnsAroundAxis('Changes per run: links granted and removed (first rounds not counted)',
    f.changes.perRun.map((r) => ({ label: `#${r.run}`, up: r.granted, down: r.removed })), { up: 'granted', down: 'removed' });
  return section('summary', 'Summary', [html`<div class="cards">${cards}</div>`, html`<div class="charts">${byKind}${recency}${runs}</div>`]);
}

const STATUS_TAG: Record<string, string> = { ok: 'ok', stale: 'warn', failed: 'bad', never: 'bad', skipped: 'warn', unused: '' };

/** Section 1: per collection, the last complete pull and its age, and the last attempt. */
export function renderFreshness(f: ReportFindings, limit: number): Html {
  const fr = f.freshness;
  const rows = table(['Collection', 'Status', 'Last complete pull', ['Age', 'num'], 'Last attempt'], fr.collections, (c) => html`
<td>${c.collection}</td><td><span class="tag ${STATUS_TAG[c.status]}">${c.status}</span></td><td>${c.lastSuccessAt ? html`<span title="${c.lastSuccessAt}">${c.lastSuccessAt.replace('T', ' ').slice(0, 16)}</span>` : html`<span class="sub">never</span>`}</td>
<td class="num">${c.ageSeconds === null ? '' : age(c.ageSeconds)}</td><td>${c.lastOutcome ?? ''}${c.lastAttemptRun !== null ? html` <span class="sub">run #${c.lastAttemptRun}</span>` : ''}${c.error ? html`<span class="sub">${c.error}</span>` : ''}</td>`, limit, 'No collection.');
  const run = fr.lastRun
    ? html`<p>Last finished run: #${fr.lastRun.id} (${fr.lastRun.command}, ${fr.lastRun.outcome}), started ${day(fr.lastRun.startedAt)}, ended ${fr.lastRun.endedAt ?? 'not recorded'}.</p>`
    : html`<p>No run has finished yet.</p>`;
  return section('freshness', '1. Freshness', [html`<p>Tenant <code>${fr.tenantId ?? '(unknown)'}</code>.</p>`, run, rows]);
}
