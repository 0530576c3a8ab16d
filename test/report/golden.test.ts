import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatReportSummary, runReport } from '../../src/cli/report-command.js';
import { renderReportHtml } from '../../src/report/render-html.js';
import type { ReportFindings } from '../../src/report/report-findings.js';
import { finishRun, openDatabase, startRun } from '../../src/store/index.js';
import { AUTOMATION_APP, buildReportFixture, COLLECTIONS, HOSTILE_NAME, NOW, PAYROLL_APP, PRA, USER_ADMIN } from './fixture.js';
import { attr, expectGolden, parsePage, runReportCli, textOf } from './support.js';

/**
 * `report` on a small hand-built database with fixed ids and times (fixture.ts): the findings
 * against a golden file, the rules behind them one by one, and the HTML parsed as a browser parses
 * it: every section there, nothing fetched from anywhere, no parse error, every name escaped.
 */
let db: string;
let findings: ReportFindings & { file?: string };
let page: string;

beforeAll(async () => {
  db = buildReportFixture();
  const out = join(mkdtempSync(join(tmpdir(), 'ee-report-out-')), 'review.html');
  findings = await runReport({ dbPath: db, out, now: NOW, collections: COLLECTIONS });
  page = readFileSync(out, 'utf8');
});

const withoutFile = ({ file: _file, ...rest }: ReportFindings & { file?: string }) => rest;

describe('report --json on a fixed database (golden files)', () => {
  it('the findings object', () => {
    expect(Object.keys(withoutFile(findings))).toEqual(expect.arrayContaining(['freshness', 'privileged', 'dormant', 'guests', 'disabledWithAccess', 'leavers', 'credentials', 'ownerless', 'changes']));
    expectGolden('report.json', `${JSON.stringify(withoutFile(findings), null, 2)}\n`);
  });

  it('the summary the command prints on a terminal', () => {
    expectGolden('report.txt', `${formatReportSummary(withoutFile(findings))}\n`);
  });
});

describe('the findings follow Entra\'s rules', () => {
  const holders = (templateId: string) => findings.privileged.roles.filter((r) => r.role.templateId === templateId).map((r) => `${r.holder.type}:${r.holder.id}${r.via ? ` via ${r.via.id}` : ''}`);

  it('a role on a role-assignable group is held by its direct members only, not by a nested group\'s members', () => {
    expect(holders(PRA)).toEqual(['user:bob via tier0-admins', 'group:tier0-admins']);
    // carol is in nested-admins, which is in tier0-admins: she is in both groups (transitively), without the role.
    const carol = findings.dormant.rows.find((r) => r.identity.id === 'carol')!;
    expect(carol.holds).toMatchObject({ group: 2, roleAssignment: 0, directoryRole: 0, total: 2 });
    const bob = findings.dormant.rows.find((r) => r.identity.id === 'bob')!;
    expect(bob.holds).toMatchObject({ group: 1, roleAssignment: 1, total: 2 });
  });

  it('Global Administrator first; one row for an assignment read both as a role member and a role assignment', () => {
    const first = findings.privileged.roles[0]!;
    expect(first).toMatchObject({ role: { name: 'Global Administrator', privileged: true }, holder: { id: 'alice' }, sources: ['directoryRole', 'roleAssignment'], scope: '/' });
    expect(findings.privileged.globalAdministrators).toBe(1);
    // Exchange Administrator is not labelled privileged by Microsoft: listed, last.
    expect(findings.privileged.roles.at(-1)).toMatchObject({ role: { name: 'Exchange Administrator', privileged: false }, holder: { id: 'gina' } });
  });

  it('a role at an administrative unit scope and at an application scope, with the scope named', () => {
    expect(findings.privileged.roles.find((r) => r.role.templateId === USER_ADMIN)).toMatchObject({
      scope: '/administrativeUnits/au-emea', scopeType: 'administrativeUnit', scopeName: 'EMEA', holder: { id: 'dave', userType: 'Guest', name: HOSTILE_NAME },
    });
    expect(findings.privileged.roles.find((r) => r.holder.id === 'frank')).toMatchObject({ scope: `/${PAYROLL_APP}`, scopeType: 'application', scopeName: 'Payroll' });
  });

  it('an app holding RoleManagement.ReadWrite.Directory; a read permission is not listed; consent for all users only', () => {
    expect(findings.privileged.appPermissions.map((a) => [a.holder.name, a.permission, a.tier])).toEqual([['Automation Bot', 'RoleManagement.ReadWrite.Directory', 0]]);
    // CRM Connector: Mail.ReadWrite for all users is listed; Files.ReadWrite.All consented by one user is not.
    expect(findings.privileged.delegatedGrants.map((g) => [g.client.name, g.scopes])).toEqual([['CRM Connector', ['Mail.ReadWrite']]]);
  });

  it('a guest with a role; disabled accounts with access (a user and an app); a leaver; dormant and unknown', () => {
    expect(findings.guests.rows.map((g) => [g.identity.id, g.roles])).toEqual([['dave', ['User Administrator']]]);
    expect(findings.disabledWithAccess.rows.map((r) => r.identity.id)).toEqual(['erin', 'sp-crm']);
    expect(findings.leavers.rows.map((r) => [r.identity.id, r.daysSinceLeave])).toEqual([['frank', 45]]);
    expect(findings.leavers.leaveDateRead).toBe(true);
    // carol never signed in (signInActivity null), bob not for 150 days; gina has no sign-in activity: not judged.
    expect(findings.dormant.rows.map((r) => [r.identity.id, r.daysSinceSignIn])).toEqual([['carol', null], ['bob', 150]]);
    expect(findings.dormant.unknown).toBe(1);
    // hank is soft-deleted: his links are not access.
    expect(JSON.stringify(findings.dormant)).not.toContain('hank');
  });

  it('ownerless: no owner at all, and apart from it, an app whose only owner is disabled', () => {
    expect(findings.ownerless.rows.map((r) => [r.object.type, r.object.id, r.reason, r.owners.map((o) => o.id)])).toEqual([
      ['application', AUTOMATION_APP, 'noOwner', []],
      ['servicePrincipal', 'sp-automation', 'noOwner', []],
      ['servicePrincipal', 'sp-crm', 'noOwner', []],
      ['application', PAYROLL_APP, 'onlyDisabledOwners', ['erin']],
    ]);
    // Microsoft Graph (first party) and the managed identity are not expected to have owners.
    expect(findings.ownerless.rows.some((r) => r.object.id === 'sp-graph' || r.object.id === 'sp-mi')).toBe(false);
  });

  it('credentials: expiring soonest first, then expired; managed identities and far expiries left out', () => {
    expect(findings.credentials.rows.map((c) => [c.keyId, c.status, c.days])).toEqual([['k-soon', 'expiring', 9], ['cert-1', 'expiring', 19], ['k-old', 'expired', -90]]);
  });

  it('changes: the last complete run against the one before, the most privileged grants first', () => {
    expect(findings.changes.window).toMatchObject({ fromRun: 1, toRun: 2, runs: [2] });
    expect(findings.changes.granted.map((g) => [g.label, g.targetName])).toEqual([
      ['privileged role', 'User Administrator'], ['high-privilege Graph permission', 'Read and write all directory RBAC settings'], ['group with roles', 'Tier 0 Admins'],
    ]);
    expect(findings.changes.removed.map((g) => g.targetId)).toEqual(['finance', 'sales']);
  });

  it('freshness: a failed and a skipped collection are warnings', () => {
    expect(findings.freshness.collections.filter((c) => c.status !== 'ok').map((c) => [c.collection, c.status])).toEqual([['oauth2PermissionGrants', 'failed'], ['signIns', 'skipped']]);
    expect(findings.freshness.warnings).toHaveLength(2);
  });
});

describe('the HTML file', () => {
  const SECTIONS = ['summary', 'freshness', 'privileged', 'dormant', 'guests', 'disabled', 'leavers', 'credentials', 'ownerless', 'changes'];

  it('parses without a single error, and holds every section', () => {
    const p = parsePage(page);
    expect(p.errors).toEqual([]);
    const ids = p.elements.filter((e) => e.tagName === 'section').map((e) => attr(e, 'id'));
    expect(ids).toEqual(SECTIONS);
    for (const id of SECTIONS) expect(p.elements.some((e) => e.tagName === 'a' && attr(e, 'href') === `#${id}`)).toBe(true);
    // Three charts, inline SVG.
    expect(p.elements.filter((e) => e.tagName === 'svg')).toHaveLength(3);
  });

  it('works offline and alone: no script, no external style, font, image or link', () => {
    const p = parsePage(page);
    expect(p.elements.filter((e) => ['script', 'link', 'img', 'iframe', 'object', 'embed', 'base', 'image', 'use'].includes(e.tagName))).toEqual([]);
    for (const e of p.elements) {
      expect(attr(e, 'src'), `src on ${e.tagName}`).toBeUndefined();
      const href = attr(e, 'href') ?? attr(e, 'xlink:href');
      if (href !== undefined) expect(href, `href on ${e.tagName}`).toMatch(/^#[a-z]+$/);
    }
    const css = p.elements.filter((e) => e.tagName === 'style').map(textOf).join('\n') + p.elements.map((e) => attr(e, 'style') ?? '').join('\n');
    expect(css).not.toMatch(/@import|url\s*\(/i);
    expect(page).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(p.elements.find((e) => e.tagName === 'meta' && attr(e, 'http-equiv') === 'Content-Security-Policy')).toBeDefined();
  });

  it('escapes what the tenant names: a display name holding <script> is text', () => {
    const p = parsePage(page);
    expect(p.elements.filter((e) => e.tagName === 'script')).toEqual([]);
    expect(p.text).toContain(HOSTILE_NAME);
    expect(page).toContain('&lt;script&gt;alert(&quot;dave&quot;)&lt;/script&gt; &amp; Co');
    // Ids are there for every identity: in the id column and the title.
    const dave = p.elements.find((e) => e.tagName === 'td' && attr(e, 'title') === 'user dave');
    expect(dave && textOf(dave)).toContain(HOSTILE_NAME);
  });

  it('says first what is stale: the warnings come before the first section', () => {
    const alert = page.indexOf('role="alert"');
    expect(alert).toBeGreaterThan(0);
    expect(alert).toBeLessThan(page.indexOf('<section'));
    expect(page.slice(alert, page.indexOf('<section'))).toContain('oauth2PermissionGrants failed');
  });

  it('control characters and lone surrogates in a name are replaced, not passed to the parser', () => {
    const odd = structuredClone(withoutFile(findings));
    odd.guests.rows[0]!.identity.name = 'A\u0001B\u007fC\uD800D\uFDD0E\uDBFF\uDFFF<b>';
    const p = parsePage(renderReportHtml(odd));
    expect(p.errors).toEqual([]);
    expect(p.text).toContain('A\uFFFDB\uFFFDC\uFFFDD\uFFFDE\uFFFD<b>');
  });

  it('shows at most the row limit per table and says how many more the JSON holds', () => {
    const p = parsePage(renderReportHtml(withoutFile(findings), 1));
    expect(p.errors).toEqual([]);
    expect(p.text).toContain('5 more rows not shown (6 in all)');
  });

  it('is written atomically: replaced whole, mode 0600, no temporary file left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ee-report-atomic-'));
    const out = join(dir, 'review.html');
    writeFileSync(out, 'the previous report');
    const r = await runReport({ dbPath: db, out, now: NOW, collections: COLLECTIONS });
    expect(r.file).toBe(out);
    expect(readFileSync(out, 'utf8')).toBe(page);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['review.html']);
  });
});

describe('the command', () => {
  it('--json alone prints the findings and writes nothing', async () => {
    const r = await runReportCli(['--json', '--db', db]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const key of ['freshness', 'privileged', 'dormant', 'guests', 'disabledWithAccess', 'leavers', 'credentials', 'ownerless', 'changes']) expect(json).toHaveProperty(key);
    expect(json).not.toHaveProperty('file');
    expect(readdirSync(r.cwd)).toEqual([]);
    // A collection that failed or was skipped is a warning on stderr too.
    expect(r.stderr).toContain('warning: oauth2PermissionGrants failed');
  });

  it('--out writes the file (relative to the working directory) and prints where', async () => {
    const r = await runReportCli(['--out', 'review.html', '--db', db, '--dormant-days', '30', '--expiry-days', '7']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Report written to ${join(r.cwd, 'review.html')}`);
    expect(readdirSync(r.cwd)).toEqual(['review.html']);
    const withJson = await runReportCli(['--out', 'again.html', '--json', '--db', db]);
    expect((JSON.parse(withJson.stdout) as { file: string }).file).toBe(join(withJson.cwd, 'again.html'));
  });

  it.each([
    [[], '--out <file.html> is required'],
    [['--out', 'x.html', '--dormant-days', '0'], '--dormant-days must be a whole number'],
    [['--out', 'x.html', '--expiry-days', 'soon'], '--expiry-days must be a whole number'],
    [['--out', 'x.html', '--bogus'], "unknown option '--bogus'"],
  ])('usage errors exit 2: %j', async (args, message) => {
    const r = await runReportCli([...args, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('exit 1: no database; a database that never completed a pull; an --out that cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ee-report-fail-'));
    const missing = await runReportCli(['--out', 'x.html', '--db', join(dir, 'none.db')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No database at');

    const failedOnly = join(dir, 'failed.db');
    const handle = openDatabase(failedOnly);
    startRun(handle, 'pull', 'test', NOW);
    finishRun(handle, 1, 'failed', { requests: 1, throttled: 0, retries: 0 }, 'the client secret is not valid', NOW + 1000);
    handle.close();
    const never = await runReportCli(['--json', '--db', failedOnly]);
    expect(never.code).toBe(1);
    expect(JSON.parse(never.stdout)).toMatchObject({ ok: false, error: { code: 'REPORT_NO_PULL' } });

    const noFolder = await runReportCli(['--out', join(dir, 'missing', 'x.html'), '--db', db]);
    expect(noFolder.code).toBe(1);
    expect(noFolder.stderr).toContain('The folder for the report does not exist');
    mkdirSync(join(dir, 'taken.html'));
    const isFolder = await runReportCli(['--out', join(dir, 'taken.html'), '--db', db]);
    expect(isFolder.code).toBe(1);
    expect(isFolder.stderr).toContain('is a folder');
  });
});
