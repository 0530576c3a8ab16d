import { html, type Html } from './escape-html.js';
import { app, day, fmt, idCell, section, table, who } from './render-parts.js';
import type { ReportFindings } from './report-findings.js';

/** Section 5: credentials expired or expiring, and apps nobody owns. */
export function renderApps(f: ReportFindings, limit: number): Html[] {
  const c = f.credentials;
  const credentials = section('credentials', '5. Application credentials', [
    html`<p>Client secrets and certificates of app registrations and service principals that expired, or expire within ${fmt(c.expiryDays)} days (managed identities left out: Azure rotates them).</p>`,
    table(['Application', 'Credential', 'Expires', 'Status', 'Id'], c.rows, (r) => html`
${app(r.object)}<td>${r.credentialType}${r.displayName ? html` ${r.displayName}` : ''}<span class="sub">keyId ${r.keyId ?? '(none)'}</span></td><td>${day(r.endDateTime)}</td>
<td>${r.status === 'expired' ? html`<span class="tag bad">expired</span> ${fmt(-r.days)} days ago` : html`<span class="tag warn">expiring</span> in ${fmt(r.days)} days`}</td>${idCell(r.object.id)}`,
    limit, 'No credential expired or expires soon.'),
  ]);
  const ownerless = section('ownerless', 'Applications without an owner', [
    html`<p>App registrations and service principals with no live owner, then those whose owners are all disabled accounts (a disabled owner still counts as an owner in Entra, so these are noted apart). Microsoft's first-party apps and managed identities have no owners by design and are left out.</p>`,
    table(['Application', 'Finding', 'Owners', 'Id'], f.ownerless.rows, (r) => html`
${app(r.object)}<td>${r.reason === 'noOwner' ? html`<span class="tag bad">no owner</span>` : html`<span class="tag warn">only disabled owners</span>`}${r.applicationOwners !== null ? html`<span class="sub">its app registration has ${fmt(r.applicationOwners)} owner${r.applicationOwners === 1 ? '' : 's'}</span>` : ''}</td>
<td>${r.owners.length === 0 ? '' : html`<table>${r.owners.map((o) => html`<tr>${who(o)}</tr>`)}</table>`}</td>${idCell(r.object.id)}`,
    limit, 'Every application has an enabled owner.'),
  ]);
  return [credentials, ownerless];
}
