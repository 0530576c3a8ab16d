/**
 * Export benchmark: builds a database of the benchmark tenant's size (bench/bench.ts: 100,000 users,
 * 20,000 groups, 1,000,000 memberships, 5,000 service principals, 200,000 app role assignments and
 * the rest) straight into SQLite, then runs each export format in a process of its own (the
 * compiled code, as the CLI runs it) and reports wall time, rows and peak RSS.
 *
 *   npx vite-node test/export/bench-export.ts
 *
 * BENCH_DB=<path> keeps the generated database there and reuses it on the next run. Sizes:
 * BENCH_USERS, BENCH_GROUPS, BENCH_MEMBERSHIPS, BENCH_SPS, BENCH_ASSIGNMENTS. Targets: each format
 * under 60 s and 300 MB.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/index.js';
import { packageRoot } from '../../src/store/package-root.js';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 20_000);
const MEMBERSHIPS = Number(process.env.BENCH_MEMBERSHIPS ?? 1_000_000);
const SPS = Number(process.env.BENCH_SPS ?? 5_000);
const ASSIGNMENTS = Number(process.env.BENCH_ASSIGNMENTS ?? 200_000);
const TARGETS = { seconds: 60, peakRssMb: 300 };
const TENANT = '11111111-2222-4333-8444-555555555555';

let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const int = (n: number) => Math.floor(rand() * n);
const hex = (n: number) => Array.from({ length: n }, () => int(16).toString(16)).join('');
const guid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;

function generate(path: string): void {
  const started = Date.now();
  const db = openDatabase(path);
  db.pragma('synchronous = OFF');
  const users = Array.from({ length: USERS }, guid);
  const groups = Array.from({ length: GROUPS }, guid);
  const sps = Array.from({ length: SPS }, guid);
  const devices = Array.from({ length: Math.floor(USERS / 200) }, guid);
  const skus = Array.from({ length: 5 }, (_, i) => `${TENANT}_${hex(8)}-sku${i}`);
  const roleDefs = Array.from({ length: 23 }, guid);
  const dirRoles = Array.from({ length: 8 }, guid);
  const units = Array.from({ length: 200 }, guid);
  const apps = Array.from({ length: Math.floor(SPS * 0.54) }, guid);
  const appRoles = sps.flatMap((sp) => ['00000000-0000-0000-0000-000000000000', guid(), guid(), guid()].map((r) => `${sp}/${r}`));
  db.transaction(() => {
    db.prepare("INSERT INTO meta (key, value) VALUES ('tenant_id', ?)").run(TENANT);
    db.prepare("INSERT INTO runs (id, command, started_at, ended_at, outcome) VALUES (1, 'pull', '2024-01-01T00:00:00.000Z', '2024-01-01T00:02:00.000Z', 'success')").run();
    const ent = db.prepare('INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run) VALUES (?, ?, ?, ?, 1, 1)');
    users.forEach((id, i) => {
      const name = `User ${i}`;
      ent.run('user', id, name, JSON.stringify({
        id, displayName: name, userPrincipalName: `user${i}@contoso.example`, mail: `user${i}@contoso.example`, givenName: 'User', surname: String(i),
        accountEnabled: rand() > 0.05, userType: rand() > 0.08 ? 'Member' : 'Guest', createdDateTime: '2019-05-01T10:00:00Z',
        lastPasswordChangeDateTime: '2023-05-01T10:00:00Z', jobTitle: 'Engineer', department: `Department ${i % 40}`, companyName: 'Contoso',
        employeeId: String(100000 + i), employeeType: 'Employee', officeLocation: 'Building 1', usageLocation: 'US',
        assignedLicenses: [{ skuId: 'sku', disabledPlans: [] }], onPremisesSyncEnabled: true, onPremisesSamAccountName: `user${i}`,
        onPremisesDomainName: 'contoso.example', onPremisesUserPrincipalName: `user${i}@contoso.example`,
        onPremisesSecurityIdentifier: `S-1-5-21-1-2-3-${i}`, onPremisesLastSyncDateTime: '2024-01-01T00:00:00Z',
        signInActivity: { lastSignInDateTime: '2023-12-01T00:00:00Z', lastNonInteractiveSignInDateTime: '2023-12-02T00:00:00Z', lastSuccessfulSignInDateTime: '2023-12-02T00:00:00Z' },
      }));
    });
    groups.forEach((id, i) => ent.run('group', id, `Group ${i}`, JSON.stringify({ id, displayName: `Group ${i}`, securityEnabled: true, mailEnabled: false, groupTypes: [], createdDateTime: '2020-01-01T00:00:00Z' })));
    sps.forEach((id, i) => ent.run('servicePrincipal', id, `App ${i}`, JSON.stringify({ id, appId: guid(), displayName: `App ${i}`, servicePrincipalType: 'Application', accountEnabled: true, appRoleAssignmentRequired: false })));
    appRoles.forEach((id, i) => ent.run('appRole', id, `Role ${i % 4}`, JSON.stringify({ id: id.split('/')[1], displayName: `Role ${i % 4}`, value: i % 4 === 0 ? null : `Role.${i % 4}`, isEnabled: true, allowedMemberTypes: ['User'] })));
    apps.forEach((id, i) => ent.run('application', id, `App ${i}`, JSON.stringify({ id, appId: guid(), displayName: `App ${i}`, signInAudience: 'AzureADMyOrg' })));
    roleDefs.forEach((id, i) => ent.run('roleDefinition', id, `Role definition ${i}`, JSON.stringify({ id, displayName: `Role definition ${i}`, isBuiltIn: true, isEnabled: true, templateId: id })));
    dirRoles.forEach((id, i) => ent.run('directoryRole', id, `Directory role ${i}`, JSON.stringify({ id, displayName: `Directory role ${i}`, roleTemplateId: roleDefs[i] })));
    units.forEach((id, i) => ent.run('administrativeUnit', id, `Unit ${i}`, JSON.stringify({ id, displayName: `Unit ${i}` })));
    skus.forEach((id, i) => ent.run('subscribedSku', id, `SKU_${i}`, JSON.stringify({ id, skuPartNumber: `SKU_${i}`, consumedUnits: 100, prepaidUnits: { enabled: 200 } })));

    const link = db.prepare(`INSERT OR IGNORE INTO entity_relations (relation, source_type, source_id, target_type, target_id, scope, data, first_seen_run, last_seen_run)
                             VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1)`);
    // Memberships: two large groups, the rest skewed towards the first groups; 2% nested groups
    // (a later group inside an earlier one) plus a few back links that close cycles; SPs and devices.
    for (let i = 0; i < 30_000 && i < USERS; i++) {
      link.run('memberOf', 'user', users[int(USERS)], 'group', groups[0], '', null);
      link.run('memberOf', 'user', users[int(USERS)], 'group', groups[1 % GROUPS], '', null);
    }
    for (let m = 60_000; m < MEMBERSHIPS; m++) {
      const gi = Math.floor(GROUPS * rand() ** 2);
      const kind = rand();
      if (kind < 0.02 && gi + 1 < GROUPS) link.run('memberOf', 'group', groups[gi + 1 + int(GROUPS - gi - 1)], 'group', groups[gi], '', null);
      else if (kind < 0.025) link.run('memberOf', 'servicePrincipal', sps[int(SPS)], 'group', groups[gi], '', null);
      else if (kind < 0.03) link.run('memberOf', 'device', devices[int(devices.length)], 'group', groups[gi], '', null);
      else link.run('memberOf', 'user', users[int(USERS)], 'group', groups[gi], '', null);
    }
    for (let c = 0; c < 20; c++) link.run('memberOf', 'group', groups[int(50)], 'group', groups[100 + int(GROUPS - 100)], '', null);
    // the large groups inside a few others
    for (let c = 0; c < 5; c++) link.run('memberOf', 'group', groups[c % 2], 'group', groups[2 + int(GROUPS - 2)], '', null);
    for (let a = 0; a < ASSIGNMENTS; a++) {
      const role = appRoles[int(appRoles.length)]!;
      const r = rand();
      const [type, id] = r < 0.9 ? ['user', users[int(USERS)]] : r < 0.95 ? ['group', groups[int(GROUPS)]] : ['servicePrincipal', sps[int(SPS)]];
      link.run('hasAppRole', type, id, 'appRole', role, '', JSON.stringify({ assignmentId: guid(), createdDateTime: '2023-01-01T00:00:00Z' }));
    }
    for (const role of appRoles) link.run('appRoleOf', 'appRole', role, 'servicePrincipal', role.split('/')[0], '', null);
    for (let i = 0; i < 1800; i++) {
      const r = rand();
      const [type, id] = r < 0.9 ? ['user', users[int(USERS)]] : r < 0.95 ? ['group', groups[int(GROUPS)]] : ['servicePrincipal', sps[int(SPS)]];
      link.run('memberOf', type, id, 'directoryRole', dirRoles[int(dirRoles.length)], '', null);
    }
    for (let i = 0; i < 2000; i++) {
      const [type, id] = rand() < 0.95 ? ['user', users[int(USERS)]] : ['group', groups[int(GROUPS)]];
      link.run('hasRole', type, id, 'roleDefinition', roleDefs[int(roleDefs.length)], rand() < 0.8 ? '/' : `/administrativeUnits/${units[int(units.length)]}`, JSON.stringify({ assignmentId: guid(), appScopeId: null }));
    }
    for (let i = 0; i < 6000; i++) link.run('memberOf', 'user', users[int(USERS)], 'administrativeUnit', units[int(units.length)], '', null);
    for (let i = 0; i < 5000; i++) {
      const [type, id] = rand() < 0.5 ? ['group', groups[int(GROUPS)]] : rand() < 0.5 ? ['application', apps[int(apps.length)]] : ['servicePrincipal', sps[int(SPS)]];
      link.run('ownerOf', 'user', users[int(USERS)], type, id, '', null);
    }
    for (let i = 0; i < 1700; i++) {
      link.run('delegatedGrant', 'servicePrincipal', sps[int(SPS)], 'servicePrincipal', sps[int(10)], '', JSON.stringify({ grants: [{ id: guid(), consentType: 'AllPrincipals', principalId: null, scope: 'User.Read openid profile' }] }));
    }
    for (let i = 0; i < USERS; i++) {
      if (rand() < 0.78) link.run('licensedWith', 'user', users[i], 'subscribedSku', skus[int(skus.length)], '', null);
      if (rand() < 0.9) link.run('reportsTo', 'user', users[i], 'user', users[int(USERS)], '', null);
    }
  })();
  const counts = db.prepare('SELECT (SELECT COUNT(*) FROM entities) AS entities, (SELECT COUNT(*) FROM entity_relations) AS relations').get();
  db.close();
  console.error(`generated ${JSON.stringify(counts)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The project compiled into a folder of its own (the CLI's code as it runs), with its package files beside it. */
function compile(): string {
  const root = packageRoot();
  const dir = mkdtempSync(join(tmpdir(), 'ee-bench-build-'));
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', join(dir, 'dist')], { stdio: 'inherit' });
  for (const f of ['package.json', 'schemas', 'node_modules']) symlinkSync(join(root, f), join(dir, f));
  writeFileSync(join(dir, 'child.mjs'), `
import { runExport } from './dist/src/export/index.js';
const [db, out, format] = process.argv.slice(2);
const started = process.hrtime.bigint();
const report = await runExport({ dbPath: db, out, format });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), files: report.files, leftOut: report.leftOut.rows, details: report.details }));
`);
  return dir;
}

function main(): void {
  const keep = process.env.BENCH_DB;
  const work = mkdtempSync(join(tmpdir(), 'ee-bench-export-'));
  const db = keep ?? join(work, 'bench.db');
  if (!existsSync(db)) generate(db);
  const build = compile();
  try {
    const results = [];
    for (const format of ['balkanid', 'flat']) {
      const out = join(work, `out-${format}`);
      mkdirSync(work, { recursive: true });
      const child = spawnSync(process.execPath, [join(build, 'child.mjs'), db, out, format], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (child.status !== 0) throw new Error(`${format} export failed:\n${child.stderr}`);
      const r = JSON.parse(child.stdout) as { seconds: number; peakRssMb: number; files: { file: string; rows: number; bytes: number }[] };
      results.push({ format, ...r });
      const ok = r.seconds <= TARGETS.seconds && r.peakRssMb <= TARGETS.peakRssMb;
      console.log(`${format.padEnd(9)} ${r.seconds.toFixed(1).padStart(6)} s  peak RSS ${String(r.peakRssMb).padStart(4)} MB  ${r.files.map((f) => `${f.file} ${f.rows} rows ${(f.bytes / 1_048_576).toFixed(0)} MB`).join(', ')}  ${ok ? 'targets met' : 'TARGET MISSED'}`);
    }
    console.log(JSON.stringify(results, null, 2));
  } finally {
    rmSync(build, { recursive: true, force: true });
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

main();
