import type { CheckReport, CollectionCheck } from './check-report.js';
import type { ProbeResult } from './run-probe.js';

const VERDICT: Record<CollectionCheck['verdict'], string> = { ok: 'ok', warning: 'warn', failed: 'FAIL' };

/** The report for a person at a terminal: a verdict line, the setup, a row per collection, then what to do. */
export function formatCheckReport(r: CheckReport, exitCode: number): string {
  const out: string[] = [headline(r, exitCode), ''];
  const setup: [string, string][] = [
    ['Tenant', r.token.acquired && r.token.tenantId && r.token.tenantId !== r.setup.tenant ? `${r.setup.tenant} (token tid ${r.token.tenantId})` : r.setup.tenant],
    ['Application', appLine(r)],
    ['Cloud', r.setup.cloud],
    ['Graph host', r.setup.graphEndpoint],
    ['Login host', r.setup.authorityHost],
    ['Credential', r.setup.credentialDescription],
  ];
  if (r.token.acquired) {
    setup.push(['Token roles', r.token.hasRolesClaim ? r.token.roles.join(', ') || '(empty)' : 'none: the token has no roles claim (no admin consent)']);
  }
  const w = Math.max(...setup.map(([k]) => k.length));
  for (const [k, v] of setup) out.push(`${k.padEnd(w)}  ${v}`);

  if (!r.token.acquired) {
    const e = r.token.error;
    out.push('', `No token: ${e.message}`);
    if (e.suggestion) out.push(`  what to do: ${e.suggestion}`);
    out.push(`  code: ${e.code}${e.request ? `; request: ${e.request}` : ''}`);
    return out.join('\n');
  }

  out.push('', ...collectionTable(r.collections));
  if (r.warnings.length > 0) out.push('', 'Warnings:', ...r.warnings.map((x) => `  - ${x}`));
  if (r.notes.length > 0) out.push('', 'Notes:', ...r.notes.map((x) => `  - ${x}`));
  out.push(...recommendation(r));
  out.push(...fix(r));
  return out.join('\n');
}

function headline(r: CheckReport, exitCode: number): string {
  if (r.outcome === 'no-token') return `entra-extract check: no access token could be had (exit ${exitCode})`;
  const failed = r.collections.filter((c) => c.verdict === 'failed').length;
  const warned = r.collections.filter((c) => c.verdict === 'warning').length;
  if (failed === 0) {
    return `entra-extract check: OK, all ${r.collections.length} collections checked can be pulled${warned ? ` (${warned} with a warning)` : ''} (exit ${exitCode}, ${r.durationMs} ms)`;
  }
  return `entra-extract check: ${failed} of ${r.collections.length} collections cannot be pulled (exit ${exitCode}, ${r.durationMs} ms)`;
}

function appLine(r: CheckReport): string {
  const appId = r.setup.clientId ?? (r.token.acquired ? r.token.appId : undefined) ?? '(system-assigned managed identity)';
  const sp = r.token.acquired && r.token.servicePrincipalId ? ` (service principal ${r.token.servicePrincipalId})` : '';
  return `${appId}${sp}`;
}

function probeText(p: ProbeResult | null): string {
  if (p === null) return 'not probed (no request of its own)';
  const said = [p.httpStatus, p.code].filter((x) => x !== undefined).join(' ');
  const status = p.status === 'premium' ? 'no P1/P2' : p.status;
  return said && p.status !== 'ok' ? `${status}: ${said}` : status;
}

function collectionTable(rows: CollectionCheck[]): string[] {
  const table = rows.map((c) => {
    const essentials = c.needs.filter((n) => n.kind !== 'optional');
    return [
      VERDICT[c.verdict],
      c.collection,
      essentials.map((n) => n.permission).join(' + '),
      essentials.map((n) => n.grantedBy ?? '-').join(' + '),
      probeText(c.probe),
    ];
  });
  const head = ['', 'collection', 'least privileged', 'token holds', 'probe'];
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(head)];
  rows.forEach((c, i) => {
    out.push(line(table[i]!));
    const pad = ' '.repeat(widths[0]! + 2 + 2);
    for (const n of c.needs) {
      if (n.kind === 'optional') {
        out.push(`${pad}optional ${n.permission}${n.alsoAccepted.length ? ` (or ${n.alsoAccepted.join(', ')})` : ''}: ${n.grantedBy ? `held (${n.grantedBy})` : 'not held'}, widens ${n.widens ?? 'what is read'}`);
      } else if (n.alsoAccepted.length > 0) {
        out.push(`${pad}${n.kind === 'requiresAlso' ? 'with ' : ''}${n.permission} or higher: ${n.alsoAccepted.join(', ')}`);
      }
    }
    if (c.probe) out.push(`${pad}GET ${shortSelect(c.probe.request)}${c.probe.requestId ? `  (request-id ${c.probe.requestId})` : ''}`);
    for (const p of c.listing) out.push(`${pad}full round: GET ${shortSelect(p.request)}  ${probeText(p)}`);
    for (const m of c.messages) out.push(`${pad}> ${m}`);
  });
  return out;
}

/** A long `$select` list shortened for the terminal (--json keeps the whole request). */
function shortSelect(url: string): string {
  return url.replace(/([?&]\$select=)([^&]*)/, (whole, key: string, list: string) => {
    const items = list.split(',');
    return items.length > 6 ? `${key}${items.slice(0, 4).join(',')},…(${items.length} properties)` : whole;
  });
}

function recommendation(r: CheckReport): string[] {
  const rec = r.recommendation;
  if (!rec) return [];
  const rows = [
    ...rec.permissions.map((p) => [p.permission, p.id ?? '?', p.held ? 'held' : 'MISSING', p.covers.join(', ')]),
    ...rec.optional.map((p) => [`${p.permission} (optional)`, p.id ?? '?', p.held ? 'held' : 'not held', p.covers.join('; ')]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((x) => x[i]!.length)));
  const out = ['', 'Recommended permissions (the smallest least-privileged set for the collections checked):'];
  for (const x of rows) out.push(`  ${x.slice(0, 3).map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}  ${x[3]}`);
  if (rec.redundant.length > 0) out.push(`  redundant once these are granted: ${rec.redundant.join(', ')}`);
  out.push(`  rule: ${rec.rule}`);
  return out;
}

function fix(r: CheckReport): string[] {
  const f = r.fix;
  if (!f) return [];
  const out = ['', `How to fix (${f.target === 'managed-identity' ? 'managed identity: app role assignments' : 'app registration'}):`];
  for (const g of f.grant) out.push(`  grant ${g.permission}${g.id ? ` (id ${g.id})` : ''}${g.optional ? ', optional,' : ''} for ${g.for.join(', ')}`);
  if (f.portal.length > 0) out.push('  In the portal:', ...f.portal.map((s, i) => `    ${i + 1}. ${s}`));
  if (f.commands.length > 0) out.push('  With the Azure CLI:', ...f.commands.map((c) => `    ${c}`));
  if (f.remove.length > 0) out.push('  To remove, after granting the above:', ...f.remove.map((c) => `    ${c}`));
  for (const n of f.notes) out.push(`  note: ${n}`);
  return out;
}
