import { Command } from 'commander';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DatabaseError } from '../errors/index.js';
import { getMeta, openDatabase } from '../store/index.js';
import { packageRoot } from '../store/package-root.js';
import { createGraphSim } from '../sim/graph/index.js';
import { createLoginSim } from '../sim/login/login-sim.js';
import { startSimServer } from '../sim/https-server.js';
import { demoTenant } from '../sim/tenant/index.js';
import type { SimHandler } from '../sim/sim-http.js';
import { simPullEnv } from '../sim/pull-env.js';
import type { Io } from './io.js';
import { runReport } from './report-command.js';
import { CONNECTORS } from '../../connectors/index.js';

/** The simulated tenant's identifiers: not real, and the secret opens nothing but the simulation. */
export const DEMO = {
  tenantId: '0d3e3a5c-7a1b-4c6e-9f2d-5e8b1a4c7d90',
  clientId: '6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
  secret: 'demo-only-secret-for-the-simulated-tenant',
} as const;

interface DemoOptions {
  db: string;
  json?: boolean;
}

export function demoCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command('demo')
    .summary('run the real pull against a built-in simulated tenant (no credentials)')
    .description(
      'Starts a simulated Microsoft Graph with a generated tenant (300 users with managers, guests and ' +
        'disabled accounts, 40 nested groups with owners, directory roles, administrative units, apps with ' +
        'their permissions, owners and credentials, consent grants, licenses and sign-ins) on a loopback HTTPS port, runs `entra-extract pull` ' +
        'against it as a separate process (a full pull), changes a few percent of the tenant, pulls again ' +
        '(an incremental delta pull), then shows what the database holds. The simulation throttles some ' +
        'requests, as Graph does, so you see the retry handling too.',
    )
    .option('--db <path>', 'database file for the demo (recreated each time)', './entra-demo.db')
    .option('--json', 'print both pull summaries as one JSON object on stdout')
    .addHelpText('after', '\nExamples:\n  $ npx entra-extract demo\n  $ npx entra-extract status --db entra-demo.db\n  $ sqlite3 entra-demo.db "SELECT display_name FROM entities WHERE entity_type = \'group\'"')
    .action(async (opts: DemoOptions) => {
      setExit(await runDemo(io, opts));
    });
}

async function runDemo(io: Io, opts: DemoOptions): Promise<number> {
  const dbPath = resolve(io.cwd, opts.db);
  clearOldDemoDatabase(dbPath);
  const say = (s: string) => io.stderr.write(`${s}\n`);

  const tenant = demoTenant(2024, { tenantId: DEMO.tenantId });
  // The demo app holds every permission the collections ask for (and sees hidden unit memberships).
  // User-LifeCycleInfo.Read.All: the users round reads employeeLeaveDateTime, so the report shows leavers.
  const roles = [...new Set([...CONNECTORS.map((c) => c.permission), 'Member.Read.Hidden', 'User-LifeCycleInfo.Read.All'])];
  const login = createLoginSim({
    tenants: [{ id: DEMO.tenantId, apps: [{ clientId: DEMO.clientId, secrets: [{ value: DEMO.secret }], roles }] }],
  });
  const graph = createGraphSim({ tenant, verifyBearer: login.verifyBearer, options: { seed: 7, userPageUnits: [40, 80], groupPageUnits: [60, 300], emptyPageRate: 0.05 } });
  // Graph throttles; so does the simulation, now and then, to show the shared Retry-After pause.
  graph.throttle.set({ every: 25, retryAfter: 'decimal', seconds: 0.3 });
  const handler: SimHandler = async (req) => (await login.handle(req)) ?? graph.handle(req);
  const tls = join(packageRoot(), 'fixtures', 'tls');
  const server = await startSimServer({ handler, tls: { cert: readFileSync(join(tls, 'server.pem')), key: readFileSync(join(tls, 'server-key.pem')) } });
  try {
    const stats = tenant.stats();
    const dir = tenant.directory.stats();
    say(
      `Simulated Graph at ${server.origin}: ${stats.users} users, ${stats.groups} groups, ${stats.memberLinks} memberships, ` +
        `${dir.servicePrincipals} service principals, ${dir.appRoleAssignments} app role assignments, ` +
        `${tenant.audit.stats().signIns} sign-ins.`,
    );
    const env = simPullEnv(io.env, {
      origin: server.origin,
      tenantId: DEMO.tenantId,
      clientId: DEMO.clientId,
      clientSecret: DEMO.secret,
      caFile: join(tls, 'ca.pem'),
    });

    say('\n1. First pull: everything (full).');
    const first = await pullChild(env, dbPath, io, opts.json === true);
    if (first.code !== 0) return first.code;

    const changes = tenant.randomChanges(0.03, 99);
    say(`\n2. Changed the simulated tenant: ${changes.operations} changes (${Object.entries(changes.byKind).map(([k, n]) => `${n} ${k}`).join(', ')}).`);
    say('\n3. Second pull: only the changes (delta).');
    const second = await pullChild(env, dbPath, io, opts.json === true);
    if (second.code !== 0) return second.code;

    const facts = describeDatabase(dbPath);
    say('\n4. The review report (no credentials: it reads the database).');
    const report = await runReport({ dbPath, out: join(dirname(dbPath), 'entra-demo-report.html') });
    if (opts.json) {
      io.stdout.write(`${JSON.stringify({ ok: true, database: dbPath, full: first.summary, changes, incremental: second.summary, database_holds: facts, report: report.file }, null, 2)}\n`);
    } else {
      io.stdout.write(
        [
          '',
          `The database ${opts.db} now holds ${facts.users} users (${facts.guests} guests, ${facts.disabled} disabled), ${facts.groups} groups and ${facts.memberships} memberships;`,
          `${facts.directoryRoles} activated directory roles with ${facts.roleMembers} members, ${facts.roleAssignments} role assignments over ${facts.roleDefinitions} role definitions,`,
          `${facts.administrativeUnits} administrative units; ${facts.servicePrincipals} service principals and ${facts.applications} app registrations`,
          `(${facts.expiringCredentials} with a credential expiring within 30 days), ${facts.appRoleAssignments} app role assignments`,
          `(${facts.appPermissions} of them application permissions to Microsoft Graph), ${facts.delegatedGrants} delegated grants;`,
          `${facts.skus} subscriptions held by ${facts.licensedUsers} users; ${facts.signIns} sign-ins, and the last sign-in of ${facts.withSignInActivity} users.`,
          `Kept as history: ${facts.removedObjects} removed objects and ${facts.removedLinks} removed links, with the time they were removed.`,
          '',
          `The review report: ${report.file}`,
          '  (one HTML file, works offline: open it in a browser)',
          '',
          'Try:',
          `  npx entra-extract status --db ${opts.db}`,
          `  npx entra-extract report --db ${opts.db} --out review.html --dormant-days 30`,
          `  sqlite3 ${opts.db} "SELECT g.display_name, COUNT(*) FROM effective_relations r JOIN entities g ON g.entity_type = 'group' AND g.id = r.target_id WHERE r.relation = 'memberOf' GROUP BY g.id ORDER BY 2 DESC LIMIT 5"`,
          `  sqlite3 ${opts.db} "SELECT r.source_type, s.display_name, role.display_name FROM effective_relations r JOIN entities s ON s.entity_type = r.source_type AND s.id = r.source_id JOIN entities role ON role.entity_type = 'directoryRole' AND role.id = r.target_id WHERE r.relation = 'memberOf' AND r.target_type = 'directoryRole'"`,
          '',
        ].join('\n'),
      );
    }
    return 0;
  } finally {
    await server.close();
  }
}

/** The demo always starts afresh, but only ever removes a database that the demo itself made. */
function clearOldDemoDatabase(dbPath: string): void {
  if (!existsSync(dbPath)) return;
  let tenant: string | undefined;
  try {
    const db = openDatabase(dbPath, { readonly: true });
    tenant = getMeta(db, 'tenant_id');
    db.close();
  } catch {
    tenant = undefined;
  }
  if (tenant !== DEMO.tenantId) {
    throw new DatabaseError('DB_NOT_DEMO', `${dbPath} exists and is not a demo database; the demo will not overwrite it`, {
      suggestion: 'Pass another --db for the demo.',
    });
  }
  for (const suffix of ['', '-wal', '-shm', '.lock']) rmSync(`${dbPath}${suffix}`, { force: true });
}

/** Runs `entra-extract pull` as its own process, exactly as a scheduler would. */
async function pullChild(env: NodeJS.ProcessEnv, dbPath: string, io: Io, json: boolean): Promise<{ code: number; summary?: unknown }> {
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'entra-extract.js'), 'pull', '--db', dbPath, ...(json ? ['--json'] : [])], {
    env,
    stdio: ['ignore', json ? 'pipe' : 'inherit', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  if (!json && code === 0) return { code };
  let summary: unknown;
  try {
    summary = out ? JSON.parse(out) : undefined;
  } catch {
    io.stderr.write(out);
  }
  return { code, summary };
}

function describeDatabase(dbPath: string) {
  const db = openDatabase(dbPath, { readonly: true });
  try {
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      users: n("SELECT COUNT(*) AS n FROM entities WHERE entity_type = 'user' AND deleted_at IS NULL"),
      guests: n("SELECT COUNT(*) AS n FROM entities WHERE entity_type = 'user' AND deleted_at IS NULL AND data ->> '$.userType' = 'Guest'"),
      disabled: n("SELECT COUNT(*) AS n FROM entities WHERE entity_type = 'user' AND deleted_at IS NULL AND data ->> '$.accountEnabled' = 0"),
      groups: n("SELECT COUNT(*) AS n FROM entities WHERE entity_type = 'group' AND deleted_at IS NULL"),
      memberships: n("SELECT COUNT(*) AS n FROM effective_relations WHERE relation = 'memberOf' AND target_type = 'group'"),
      directoryRoles: n("SELECT COUNT(*) AS n FROM entities WHERE entity_type = 'directoryRole' AND deleted_at IS NULL"),
      roleMembers: n("SELECT COUNT(*) AS n FROM effective_relations WHERE relation = 'memberOf' AND target_type = 'directoryRole'"),
      roleDefinitions: n("SELECT COUNT(*) AS n FROM entities WHERE entity_type = 'roleDefinition' AND deleted_at IS NULL"),
      roleAssignments: n("SELECT COUNT(*) AS n FROM effective_relations WHERE relation = 'hasRole'"),
      administrativeUnits: n("SELECT COUNT(*) AS n FROM entities WHERE entity_type = 'administrativeUnit' AND deleted_at IS NULL"),
      servicePrincipals: n("SELECT COUNT(*) AS n FROM entities WHERE entity_type = 'servicePrincipal' AND deleted_at IS NULL"),
      applications: n("SELECT COUNT(*) AS n FROM entities WHERE entity_type = 'application' AND deleted_at IS NULL"),
      expiringCredentials: n(`SELECT COUNT(*) AS n FROM entities e WHERE e.entity_type IN ('servicePrincipal', 'application') AND e.deleted_at IS NULL AND EXISTS (
        SELECT 1 FROM json_each(json_array(json_extract(e.data, '$.passwordCredentials'), json_extract(e.data, '$.keyCredentials'))) AS lists, json_each(lists.value) AS c
        WHERE json_extract(c.value, '$.endDateTime') BETWEEN strftime('%Y-%m-%dT%H:%M:%SZ', 'now') AND strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+30 days'))`),
      appRoleAssignments: n("SELECT COUNT(*) AS n FROM effective_relations WHERE relation = 'hasAppRole'"),
      appPermissions: n(`SELECT COUNT(*) AS n FROM effective_relations r JOIN entities g ON g.entity_type = 'servicePrincipal' AND r.target_id LIKE g.id || '/%'
        WHERE r.relation = 'hasAppRole' AND r.source_type = 'servicePrincipal' AND g.data ->> '$.appId' = '00000003-0000-0000-c000-000000000000'`),
      delegatedGrants: n("SELECT COUNT(*) AS n FROM effective_relations WHERE relation = 'delegatedGrant'"),
      skus: n("SELECT COUNT(*) AS n FROM entities WHERE entity_type = 'subscribedSku' AND deleted_at IS NULL"),
      licensedUsers: n("SELECT COUNT(DISTINCT source_id) AS n FROM effective_relations WHERE relation = 'licensedWith'"),
      signIns: n('SELECT COUNT(*) AS n FROM sign_ins'),
      withSignInActivity: n("SELECT COUNT(*) AS n FROM entities WHERE entity_type = 'user' AND deleted_at IS NULL AND data ->> '$.signInActivity' IS NOT NULL"),
      removedObjects: n('SELECT COUNT(*) AS n FROM entities WHERE deleted_at IS NOT NULL'),
      removedLinks: n('SELECT COUNT(*) AS n FROM entity_relations WHERE deleted_at IS NOT NULL'),
    };
  } finally {
    db.close();
  }
}
