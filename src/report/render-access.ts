import { html, type Html } from './escape-html.js';
import { HIGH_PRIVILEGE_GRAPH_PERMISSIONS } from './graph-permissions.js';
import { day, fmt, holds, idCell, lastSignIn, plural, section, table, who } from './render-parts.js';
import type { ReportFindings, RoleHolding } from './report-findings.js';

const TIER = ['tier 0: grants authorization', 'tier 1: directory or app credentials', 'tier 2: users and groups', 'tier 3: everyone\'s data'];

function scopeText(r: RoleHolding): Html {
  if (r.scopeType === 'tenant') return html`tenant-wide`;
  const kind = r.scopeType === 'administrativeUnit' ? 'administrative unit' : r.scopeType === 'application' ? 'application' : 'scope';
  return html`${kind} ${r.scopeName ?? ''}<span class="sub">${r.scope}</span>`;
}

/** Section 2: role holders (privileged first), high-privilege Graph permissions, consents for everyone. */
export function renderPrivileged(f: ReportFindings, limit: number): Html {
  const p = f.privileged;
  const missing = p.missing.length > 0 ? html`<p class="note">Incomplete: never pulled completely: ${p.missing.join(', ')}.</p>` : '';
  const roles = table(['Role', 'Scope', 'Holder', 'Through', 'Read from', 'Since', 'Id'], p.roles, (r) => html`
<td>${r.role.name ?? r.role.templateId}${r.role.privileged ? html` <span class="tag bad">privileged</span>` : ''}</td><td>${scopeText(r)}</td>${who(r.holder)}
<td>${r.via ? html`<span title="group ${r.via.id}">group ${r.via.name ?? r.via.id}</span>` : html`<span class="sub">direct</span>`}</td>
<td>${r.sources.join(', ')}</td><td>${day(r.firstSeen)}</td>${idCell(r.holder.id)}`, limit, 'No directory role is held.');
  const apps = table(['Application', 'Permission', 'Why it matters', 'Since', 'Id'], p.appPermissions, (a) => html`
${who(a.holder)}<td><code>${a.permission}</code><span class="sub">${TIER[a.tier]}</span></td><td>${a.why}</td><td>${day(a.firstSeen)}</td>${idCell(a.holder.id)}`,
  limit, 'No service principal holds a high-privilege Microsoft Graph application permission.');
  const grants = table(['Client application', 'High-privilege scopes', 'All scopes consented for everyone', 'Id'], p.delegatedGrants, (g) => html`
${who(g.client)}<td>${g.scopes.map((s) => html`<code>${s}</code> `)}<span class="sub">${TIER[g.tier]}</span></td><td class="sub">${g.allScopes.join(' ')}</td>${idCell(g.client.id)}`,
  limit, 'No client application has a high-privilege Microsoft Graph scope consented for all users.');
  return section('privileged', '2. Privileged access', [
    html`<p>${plural(p.globalAdministrators, 'Global Administrator', 'Global Administrators')}; ${plural(p.privilegedHolders, 'user or app holds', 'users and apps hold')} a role Microsoft labels privileged. A role assigned to a role-assignable group is held by the group's direct members (listed "through" the group); members of groups nested in it do not hold it.</p>`,
    missing,
    html`<h3>Directory roles: ${plural(p.roles.length, 'holding', 'holdings')}</h3>`, roles,
    html`<h3>High-privilege Microsoft Graph application permissions</h3>`, apps,
    html`<h3>High-privilege delegated permissions consented for all users</h3>`, grants,
    html`<p class="note">Privileged roles: those Microsoft labels PRIVILEGED in ${html`<code>${p.sources.roles}</code>`} (see ${html`<code>${p.sources.rolesAbout}</code>`}); a role definition's own isPrivileged wins when the tenant has it. High-privilege permissions (${HIGH_PRIVILEGE_GRAPH_PERMISSIONS.map((x) => x.value).join(', ')}): ${html`<code>${p.sources.permissions}</code>`}.</p>`,
  ]);
}

/** Section 3: enabled users with access and no recent successful sign-in. */
export function renderDormant(f: ReportFindings, limit: number): Html {
  const d = f.dormant;
  const notes = [
    !d.signInActivityRead ? html`<p class="note">No user has sign-in activity: the signInActivity collection was not pulled (or was skipped: it needs Entra ID P1/P2). Dormant accounts cannot be judged.</p>` : '',
    d.unknown > 0 ? html`<p class="note">${plural(d.unknown, 'enabled user', 'enabled users')} holding access ${d.unknown === 1 ? 'has' : 'have'} no sign-in activity recorded and ${d.unknown === 1 ? 'is' : 'are'} not judged.</p>` : '',
  ];
  return section('dormant', '3. Dormant access', [
    html`<p>Enabled users who hold access and have had no successful sign-in since ${day(d.cutoff)} (${fmt(d.dormantDays)} days), or never. Service principals are not judged (Graph v1.0 has no sign-in activity for them).</p>`,
    notes,
    table(['User', 'Last successful sign-in', 'Holds', 'Id'], d.rows, (r) => html`${who(r.identity)}${lastSignIn(r.signIn, r.daysSinceSignIn)}${holds(r.holds)}${idCell(r.identity.id)}`,
      limit, 'No dormant account holds access.'),
  ]);
}

/** Section 4: guests with access, disabled accounts with access, leavers still enabled. */
export function renderAccounts(f: ReportFindings, limit: number): Html[] {
  const guests = section('guests', '4. Guests holding access', table(['Guest', 'Invitation', 'Directory roles', 'Last successful sign-in', 'Holds', 'Id'], f.guests.rows, (r) => html`
${who(r.identity)}<td>${r.externalUserState ?? ''}</td><td>${r.roles.map((x) => html`<span class="tag bad">${x}</span>`)}</td>${lastSignIn(r.signIn, r.daysSinceSignIn)}${holds(r.holds)}${idCell(r.identity.id)}`,
  limit, 'No guest holds access.'));
  const disabled = section('disabled', 'Disabled accounts still holding access', [
    html`<p>Disabling an account stops its sign-ins; what it holds comes back if it is enabled again, and licenses are still consumed.</p>`,
    table(['Account', 'Last successful sign-in', 'Holds', 'Id'], f.disabledWithAccess.rows, (r) => html`${who(r.identity)}${r.identity.type === 'user' ? lastSignIn(r.signIn, r.daysSinceSignIn) : html`<td class="sub">n/a</td>`}${holds(r.holds)}${idCell(r.identity.id)}`,
      limit, 'No disabled account holds access.'),
  ]);
  const l = f.leavers;
  const leaveNote = l.leaveDateRead === false
    ? html`<p class="note">The users were read without employeeLeaveDateTime: grant User-LifeCycleInfo.Read.All to the app to see leavers.</p>` : '';
  const leavers = section('leavers', 'Leavers whose account is still enabled', [
    html`<p>Users whose employeeLeaveDateTime has passed and whose account is enabled.</p>`, leaveNote,
    table(['User', 'Left', 'Last successful sign-in', 'Holds', 'Id'], l.rows, (r) => html`
${who(r.identity)}<td>${day(r.leaveDateTime)}<span class="sub">${fmt(r.daysSinceLeave)} days ago</span></td>${lastSignIn(r.signIn, r.daysSinceSignIn)}${holds(r.holds)}${idCell(r.identity.id)}`,
    limit, 'No leaver has an enabled account.'),
  ]);
  return [guests, disabled, leavers];
}
