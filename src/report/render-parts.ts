import { html, type Html } from './escape-html.js';
import type { AppObjectRef, Holdings, IdentityRef, SignIn } from './report-findings.js';
import { fmt } from './svg-charts.js';

export { fmt };

/** How many rows each HTML table shows at most; the JSON always has them all. */
export const DEFAULT_ROW_LIMIT = 500;

const TYPE_LABEL: Record<string, string> = { user: 'user', servicePrincipal: 'app', group: 'group', application: 'app registration' };

/** A date as YYYY-MM-DD, the whole time in its title. */
export function day(iso: string | null): Html {
  if (!iso) return html`<span class="sub">never</span>`;
  return html`<span class="d" title="${iso}">${iso.slice(0, 10)}</span>`;
}

/** Who: display name, then the UPN or appId under it; tags for guests and disabled accounts; the id in the title. */
export function who(ref: IdentityRef): Html {
  const tags = [
    ref.type !== 'user' ? html`<span class="tag">${TYPE_LABEL[ref.type] ?? ref.type}</span>` : '',
    ref.userType?.toLowerCase() === 'guest' ? html`<span class="tag warn">guest</span>` : '',
    ref.enabled === false ? html`<span class="tag bad">disabled</span>` : '',
  ];
  return html`<td title="${ref.type} ${ref.id}">${ref.name ?? html`<span class="sub">(no name)</span>`} ${tags}${ref.login ? html`<span class="sub">${ref.login}</span>` : ''}</td>`;
}

/** An app registration or service principal: name, appId under it. */
export function app(o: AppObjectRef): Html {
  return html`<td title="${o.type} ${o.id}">${o.name ?? html`<span class="sub">(no name)</span>`} <span class="tag">${TYPE_LABEL[o.type]}</span>${o.appId ? html`<span class="sub">appId ${o.appId}</span>` : ''}</td>`;
}

/** The small id column every table ends with. */
export function idCell(id: string): Html {
  return html`<td class="id">${id}</td>`;
}

export function num(n: number | null): Html {
  return html`<td class="num">${n === null ? '' : fmt(n)}</td>`;
}

const HOLD_LABELS: [keyof Holdings, string, string][] = [
  ['group', 'group', 'groups'], ['directoryRole', 'directory role', 'directory roles'], ['roleAssignment', 'role assignment', 'role assignments'],
  ['appRole', 'app role', 'app roles'], ['owner', 'ownership', 'ownerships'], ['license', 'license', 'licenses'],
  ['administrativeUnit', 'unit', 'units'], ['delegatedGrant', 'grant', 'grants'],
];

/** What an identity holds, as counts by kind ("12 groups, 1 app role"). */
export function holds(h: Holdings): Html {
  const parts = HOLD_LABELS.filter(([k]) => h[k] > 0).map(([k, one, many]) => html`<span class="tag">${fmt(h[k])} ${h[k] === 1 ? one : many}</span>`);
  return html`<td>${parts}</td>`;
}

export function lastSignIn(signIn: SignIn | null, days: number | null): Html {
  if (!signIn) return html`<td class="sub">unknown</td>`;
  if (!signIn.lastSuccessful) {
    const tried = signIn.lastInteractive ? html`<span class="sub">last attempt ${day(signIn.lastInteractive)}</span>` : '';
    return html`<td>never${tried}</td>`;
  }
  return html`<td>${day(signIn.lastSuccessful)}<span class="sub">${fmt(days ?? 0)} days ago</span></td>`;
}

/**
 * A table of at most `limit` rows; past it, a line says how many more the JSON holds. An empty list
 * is one sentence instead of an empty table.
 */
export function table<T>(headers: (string | [string, 'num'])[], rows: readonly T[], row: (r: T) => Html, limit: number, empty: string): Html {
  if (rows.length === 0) return html`<p class="note">${empty}</p>`;
  const shown = rows.slice(0, limit);
  const head = headers.map((h) => (Array.isArray(h) ? html`<th class="num">${h[0]}</th>` : html`<th>${h}</th>`));
  const more = rows.length > shown.length
    ? html`<p class="more">${fmt(rows.length - shown.length)} more rows not shown (${fmt(rows.length)} in all): run <code>entra-extract report --json</code> for every row.</p>`
    : '';
  return html`<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${shown.map((r) => html`<tr>${row(r)}</tr>`)}</tbody></table></div>${more}`;
}

export function section(id: string, title: string, body: Html | readonly (Html | string | readonly (Html | string)[])[]): Html {
  return html`<section id="${id}"><h2>${title}</h2>${body}</section>`;
}

export function plural(n: number, one: string, many: string): string {
  return `${fmt(n)} ${n === 1 ? one : many}`;
}
