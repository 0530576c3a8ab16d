import { afterEach, describe, expect, it } from 'vitest';
import { CONNECTORS } from '../../connectors/index.js';
import { acceptedBy, connectorNeeds, graphPermissionId, type CheckReport } from '../../src/check/index.js';
import { createCheckWorld, FULL_ROLES, LEAST_ROLES, type CheckWorld } from './check-world.js';

let world: CheckWorld | undefined;
afterEach(() => {
  world?.close();
  world = undefined;
});

const failed = (r: CheckReport) => r.collections.filter((c) => c.verdict === 'failed').map((c) => c.collection);
const row = (r: CheckReport, name: string) => r.collections.find((c) => c.collection === name)!;

describe('check against the simulated tenant', () => {
  it('every permission granted: every collection ok, probed with its cheap request, well under 10 s', async () => {
    world = createCheckWorld({ roles: FULL_ROLES });
    const r = await world.check();
    expect(r.outcome).toBe('ok');
    expect(r.ok).toBe(true);
    expect(r.collections.map((c) => c.collection)).toEqual(CONNECTORS.map((c) => c.name));
    expect(r.collections.filter((c) => c.verdict !== 'ok')).toEqual([]);
    expect(r.collections.every((c) => c.probe?.status === 'ok')).toBe(true);
    expect(r.durationMs).toBeLessThan(10_000);
    expect(r.token).toMatchObject({ acquired: true, tenantId: world.env.AZURE_TENANT_ID, appId: world.env.AZURE_CLIENT_ID, hasRolesClaim: true });
    expect(r.token.acquired && r.token.roles).toEqual([...FULL_ROLES].sort());
    expect(r.setup).toMatchObject({ cloud: 'global', graphEndpoint: 'https://graph.sim.test', authorityHost: 'https://login.sim.test', credential: 'secret', credentialDescription: 'client secret' });
    // Each need shows its least permission, its id, the higher ones, and what the token holds of them.
    expect(row(r, 'groups').needs[0]).toMatchObject({
      kind: 'required', permission: 'GroupMember.Read.All', id: '98830695-27a2-44f7-8c18-0c3ebc9698f6', grantedBy: 'GroupMember.Read.All',
    });
    expect(row(r, 'groups').needs[0]!.alsoAccepted).toContain('Group.Read.All');
    expect(row(r, 'signInActivity').needs.map((n) => [n.kind, n.permission, n.grantedBy])).toEqual([
      ['required', 'AuditLog.Read.All', 'AuditLog.Read.All'], ['requiresAlso', 'User.Read.All', 'User.Read.All'],
    ]);
    // The requests really made: delta with $deltatoken=latest and the pull's $select, lists with $top=1.
    const paths = world.graph.requests.map((q) => q.path);
    expect(paths.filter((p) => p.includes('/delta?')).every((p) => p.endsWith('&$deltatoken=latest'))).toBe(true);
    expect(paths.filter((p) => p.includes('/delta?'))).toHaveLength(6);
    expect(paths).toContain('/v1.0/subscribedSkus');
    expect(paths).toContain('/v1.0/auditLogs/signIns?$top=1');
    expect(paths).toContain('/v1.0/users?$select=id,signInActivity&$top=1');
    // A full round's listing too: the objects with $top=1, then the first one's sub-collections as
    // the pull sends them ($top=1 where it pages), all allowed.
    const listings = Object.fromEntries(r.collections.filter((c) => c.listing.length > 0).map((c) => [c.collection, c.listing.map((p) => `${p.status} ${p.request}`)]));
    const id = '[0-9a-f-]{36}';
    expect(listings).toEqual({
      users: [expect.stringMatching(/^ok \/users\?\$select=[^&]+&\$expand=manager\(\$select=id\)&\$top=1$/)],
      groups: [
        expect.stringMatching(/^ok \/groups\?\$select=[^&]+&\$top=1$/),
        expect.stringMatching(new RegExp(`^ok /groups/${id}/members\\?\\$select=id&\\$top=1$`)),
        expect.stringMatching(new RegExp(`^ok /groups/${id}/owners\\?\\$select=id&\\$top=1$`)),
      ],
      administrativeUnits: [
        expect.stringMatching(/^ok \/directory\/administrativeUnits\?\$select=[^&]+&\$top=1$/),
        expect.stringMatching(new RegExp(`^ok /directory/administrativeUnits/${id}/members\\?\\$select=id&\\$top=1$`)),
      ],
      directoryRoles: [
        expect.stringMatching(/^ok \/directoryRoles\?\$select=[^&]+$/),
        expect.stringMatching(new RegExp(`^ok /directoryRoles/${id}/members\\?\\$select=id$`)),
      ],
    });
    // One request per collection, plus the fan-out's fallback (the app's own service principal is not
    // in the simulated tenant), plus the 8 of the listings.
    expect(world.graph.requests).toHaveLength(CONNECTORS.length + 1 + 8);
    expect(row(r, 'appRoleAssignments').probe!.note).toMatch(/404/);
    expect(r.fix).toBeNull();
    expect(r.extra).toEqual({ notNeeded: [], write: [] });
  });

  it('each required permission missing in turn: exactly that collection fails, and the fix names the permission and its id', async () => {
    world = createCheckWorld();
    const cases = CONNECTORS.flatMap((c) => connectorNeeds(c).filter((n) => n.kind !== 'optional').map((need) => ({ c, need })));
    expect(cases).toHaveLength(13);
    for (const { c, need } of cases) {
      const roles = FULL_ROLES.filter((p) => !acceptedBy(need).includes(p));
      world.app.roles = roles;
      // Every collection the remaining roles still satisfy, and this one.
      const only = CONNECTORS.filter((k) => k === c || connectorNeeds(k).every((n) => n.kind === 'optional' || acceptedBy(n).some((p) => roles.includes(p))));
      const r = await world.check({ only: only.map((k) => k.name) });
      const label = `${c.name} without ${need.permission}`;
      expect(r.outcome, label).toBe('cannot-pull');
      expect(failed(r), label).toEqual([c.name]);
      expect(row(r, c.name).probe!.status, label).toBe('forbidden');
      expect(row(r, c.name).probe!.code, label).toBe('Authorization_RequestDenied');
      expect(row(r, c.name).probe!.requestId, label).toMatch(/^[0-9a-f-]{36}$/);
      expect(row(r, c.name).messages.join(' '), label).toContain(need.permission);
      const id = graphPermissionId(need.permission)!;
      expect(r.fix!.grant.filter((g) => !g.optional).map((g) => [g.permission, g.id]), label).toEqual([[need.permission, id]]);
      expect(r.fix!.commands.join('\n'), label).toContain(`--api-permissions ${id}=Role   # ${need.permission}`);
      expect(r.fix!.commands, label).toContain(`az ad app permission admin-consent --id ${world.env.AZURE_CLIENT_ID}`);
    }
  });

  it('a higher permission instead of the least one is accepted, and a write one is flagged', async () => {
    // Without Directory.Read.All (it would satisfy both), so not checking oauth2PermissionGrants, which needs it.
    const least = LEAST_ROLES.filter((p) => !['GroupMember.Read.All', 'LicenseAssignment.Read.All', 'Directory.Read.All'].includes(p));
    world = createCheckWorld({ roles: [...least, 'Group.Read.All', 'Organization.ReadWrite.All'] });
    const r = await world.check({ only: CONNECTORS.map((c) => c.name).filter((n) => n !== 'oauth2PermissionGrants') });
    expect(r.outcome).toBe('ok');
    expect(row(r, 'groups')).toMatchObject({ verdict: 'ok' });
    expect(row(r, 'groups').needs[0]!.grantedBy).toBe('Group.Read.All');
    expect(row(r, 'licenses')).toMatchObject({ verdict: 'ok' });
    expect(row(r, 'licenses').needs[0]!.grantedBy).toBe('Organization.ReadWrite.All');
    expect(r.extra.write).toEqual(['Organization.ReadWrite.All']);
    expect(r.warnings.join('\n')).toMatch(/write permissions: Organization.ReadWrite.All/);
    // Group.Read.All is accepted and read-only: the least one is only recommended.
    expect(r.recommendation!.missing).toContain('GroupMember.Read.All');
    expect(r.recommendation!.redundant).toEqual(['Group.Read.All', 'Organization.ReadWrite.All']);
    // Removing the write one must not break licenses: the read permission that replaces it is granted first.
    expect(r.fix!.grant.filter((g) => !g.optional).map((g) => [g.permission, g.for])).toEqual([['LicenseAssignment.Read.All', ['licenses']]]);
    expect(r.fix!.remove.join('\n')).toContain('Organization.ReadWrite.All');
  });

  it('optional permissions missing: warnings, not failures, and the fix offers them as optional', async () => {
    world = createCheckWorld({ roles: LEAST_ROLES });
    const r = await world.check();
    expect(r.outcome).toBe('ok');
    expect(row(r, 'users').verdict).toBe('warning');
    expect(row(r, 'administrativeUnits').verdict).toBe('warning');
    expect(r.warnings.join('\n')).toMatch(/administrativeUnits: without Member.Read.Hidden \(id 658aa5d8-239f-45c4-aa12-864f4fc7e490\) it does not read the members of units with hidden membership \(optional\)/);
    expect(r.warnings.join('\n')).toMatch(/users: without User-LifeCycleInfo.Read.All .* it does not read employeeLeaveDateTime/);
    expect(r.fix!.grant.map((g) => [g.permission, g.optional])).toEqual([['User-LifeCycleInfo.Read.All', true], ['Member.Read.Hidden', true]]);
    expect(r.fix!.commands.join('\n')).toContain('--api-permissions 658aa5d8-239f-45c4-aa12-864f4fc7e490=Role   # Member.Read.Hidden (optional)');
  });

  it('over-privileged: write permissions and ones this tool never uses are flagged', async () => {
    world = createCheckWorld({ roles: [...FULL_ROLES, 'Directory.ReadWrite.All', 'RoleManagement.ReadWrite.Directory', 'Mail.Send', 'Sites.Read.All'] });
    const r = await world.check();
    expect(r.outcome).toBe('ok');
    expect(r.extra.write).toEqual(['Directory.ReadWrite.All', 'Mail.Send', 'RoleManagement.ReadWrite.Directory']);
    expect(r.extra.notNeeded).toEqual(['Mail.Send', 'Sites.Read.All']);
    expect(r.warnings.join('\n')).toMatch(/write permissions: Directory.ReadWrite.All, Mail.Send, RoleManagement.ReadWrite.Directory. This tool only reads/);
    expect(r.warnings.join('\n')).toMatch(/does not use: Mail.Send, Sites.Read.All/);
    expect(r.fix!.remove.join('\n')).toMatch(/Directory.ReadWrite.All, Mail.Send, RoleManagement.ReadWrite.Directory, Sites.Read.All: .*Revoke admin consent/);
    expect(r.recommendation!.redundant).toContain('Directory.ReadWrite.All');
  });

  it('the token shows the permission but Graph refuses: failed, the probe wins, and consent is asked again', async () => {
    world = createCheckWorld({ roles: FULL_ROLES });
    world.graph.faults.add({ path: /\/groups\/delta/, status: 403, graphCode: 'Authorization_RequestDenied' });
    const r = await world.check();
    expect(r.outcome).toBe('cannot-pull');
    expect(failed(r)).toEqual(['groups']);
    expect(row(r, 'groups').messages.join(' ')).toMatch(/Graph refused \(403 Authorization_RequestDenied, request-id [0-9a-f-]+\) although the token holds GroupMember.Read.All: the probe wins/);
    expect(r.notes.join(' ')).toMatch(/the probe wins.*minutes to reach new tokens/);
    expect(r.fix!.grant).toEqual([]);
    expect(r.fix!.commands).toEqual([`az ad app permission admin-consent --id ${world.env.AZURE_CLIENT_ID}`]);
  });

  it('a full round\'s listing Graph refuses (403 on members, 400 to a query): a warning that names the request, not a failure', async () => {
    world = createCheckWorld({ roles: FULL_ROLES });
    world.graph.faults.add({ path: /^\/v1\.0\/groups\/[^/]+\/members\?/, status: 403, graphCode: 'Authorization_RequestDenied' });
    world.graph.faults.add({ path: /^\/v1\.0\/users\?.*\$expand=manager/, status: 400, graphCode: 'Request_UnsupportedQuery', times: 2 });
    const r = await world.check({ only: ['users', 'groups', 'directoryRoles'] });
    expect(r.outcome).toBe('ok');
    expect(r.collections.map((c) => [c.collection, c.verdict])).toEqual([['users', 'warning'], ['groups', 'warning'], ['directoryRoles', 'ok']]);
    // The delta probes were allowed; the listings were not.
    expect(row(r, 'groups').probe!.status).toBe('ok');
    expect(row(r, 'groups').listing.map((p) => p.status)).toEqual(['ok', 'forbidden', 'ok']);
    expect(row(r, 'groups').messages.join('\n')).toMatch(
      /^full rounds cannot read by listing: Graph refused GET \/groups\/[0-9a-f-]+\/members\?\$select=id&\$top=1 \(403 Authorization_RequestDenied, request-id [^)]+\); they read the delta chain instead, with the same result but slower on a large tenant$/m,
    );
    // The cheap form refused as malformed is sent again as the pull sends it, refused again: the pull's own query is what is judged.
    expect(row(r, 'users').listing).toHaveLength(1);
    expect(row(r, 'users').listing[0]).toMatchObject({ status: 'error', httpStatus: 400, code: 'Request_UnsupportedQuery', request: expect.stringMatching(/&\$top=999&\$expand=manager\(\$select=id\)$/) });
    expect(r.warnings.join('\n')).toMatch(/^users: full rounds cannot read by listing: Graph refused GET \/users\?.*\(400 Request_UnsupportedQuery/m);
  });

  it('the token lacks the permission but Graph allows the call: ok, with a note', async () => {
    world = createCheckWorld({ roles: LEAST_ROLES.filter((p) => p !== 'GroupMember.Read.All' && p !== 'Directory.Read.All') });
    world.graph.faults.add({ path: /\/groups\/delta/, status: 200, body: { value: [], '@odata.deltaLink': 'https://graph.sim.test/v1.0/groups/delta?$deltatoken=x' } });
    // (Graph allows what such a token can read, the full round's listing too: here one with no group.)
    world.graph.faults.add({ path: /^\/v1\.0\/groups\?/, status: 200, body: { value: [] } });
    const r = await world.check({ only: ['users', 'groups'] });
    expect(r.outcome).toBe('ok');
    expect(row(r, 'groups').verdict).toBe('ok');
    expect(row(r, 'groups').needs[0]!.grantedBy).toBeNull();
    expect(row(r, 'groups').messages.join(' ')).toMatch(/Graph allowed it although the token's roles claim holds none of GroupMember.Read.All.*the probe wins/);
    expect(row(r, 'groups').messages).toContain('the listing returned no group: its members and owners were not probed');
    expect(r.notes.join(' ')).toMatch(/the probe wins/);
  });

  it('a tenant without Entra ID P1/P2: the sign-in collections are warnings, the check passes', async () => {
    world = createCheckWorld({ roles: FULL_ROLES, premium: false });
    const r = await world.check();
    expect(r.outcome).toBe('ok');
    for (const name of ['signIns', 'signInActivity']) {
      expect(row(r, name).verdict, name).toBe('warning');
      expect(row(r, name).probe).toMatchObject({ status: 'premium', httpStatus: 403, code: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant' });
    }
    expect(r.warnings.join('\n')).toMatch(/signIns: the tenant has no Microsoft Entra ID P1 or P2 license/);
  });

  it('no P1/P2 and no permission either: failed, the permission is still needed', async () => {
    world = createCheckWorld({ roles: FULL_ROLES.filter((p) => p !== 'AuditLog.Read.All' && p !== 'Directory.Read.All'), premium: false });
    // The simulation checks the permission first; a tenant that answers "no P1/P2" first must not hide a missing one.
    world.graph.faults.add({ path: /\/auditLogs\/signIns/, status: 403, graphCode: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant' });
    const r = await world.check({ only: ['users', 'signIns'] });
    expect(row(r, 'signIns')).toMatchObject({ verdict: 'failed', probe: { status: 'premium' } });
    expect(row(r, 'signIns').messages.join(' ')).toMatch(/does not hold AuditLog.Read.All .*needed once the tenant has P1\/P2/);
    expect(r.fix!.grant.filter((g) => !g.optional).map((g) => [g.permission, g.for])).toEqual([['AuditLog.Read.All', ['signIns']]]);
  });

  it('no admin consent: a token without a roles claim is reported as such, every probe is refused', async () => {
    world = createCheckWorld({ roles: [] });
    const r = await world.check();
    expect(r.token).toMatchObject({ acquired: true, hasRolesClaim: false, roles: [] });
    expect(r.warnings[0]).toMatch(/no roles claim: no Microsoft Graph application permission has admin consent/);
    expect(r.outcome).toBe('cannot-pull');
    expect(failed(r)).toEqual(CONNECTORS.map((c) => c.name));
    expect(r.fix!.grant.filter((g) => !g.optional).map((g) => g.permission)).toEqual(['Directory.Read.All', 'AuditLog.Read.All']);
  });

  it('throttled once: retried, ok; throttled every time: failed, and it says throttled', async () => {
    world = createCheckWorld({ roles: FULL_ROLES });
    // Requests already on their way when the 429 opens the window are throttled too, told to wait as long.
    world.graph.throttle.set({ retryAfter: 'decimal', seconds: 0.02 });
    world.graph.faults.add({ path: /\/subscribedSkus/, status: 429, headers: { 'retry-after': '0.02' }, times: 1 });
    world.graph.faults.add({ path: /\/auditLogs\/signIns/, status: 429, headers: { 'retry-after': '0.01' }, times: 1000 });
    // (A probe makes 3 retries after 429s, not the pull's 30: a check is interactive.)
    const r = await world.check({ retry: { baseDelayMs: 5, maxDelayMs: 50 } });
    expect(row(r, 'licenses')).toMatchObject({ verdict: 'ok', probe: { status: 'ok', throttled: 1, retries: 1 } });
    expect(row(r, 'licenses').probe!.note).toMatch(/throttled 1 time .*retry/);
    expect(row(r, 'signIns')).toMatchObject({ verdict: 'failed', probe: { status: 'throttled', httpStatus: 429, retries: 3 } });
    expect(row(r, 'signIns').messages.join(' ')).toMatch(/throttl.*still throttled after 3 retries: counts as failed/);
    expect(failed(r)).toEqual(['signIns']);
    expect(r.outcome).toBe('cannot-pull');
    // One transport: nothing was sent into a throttle window it knew of.
    expect(world.graph.throttle.violations()).toEqual([]);
    expect(world.graph.reportsThrottle.violations()).toEqual([]);
  });

  it('a Retry-After longer than --max-wait fails the probe as throttled at once', async () => {
    world = createCheckWorld({ roles: FULL_ROLES });
    world.graph.faults.add({ path: /\/auditLogs\/signIns/, status: 429, headers: { 'retry-after': '120' } });
    const started = Date.now();
    const r = await world.check({ only: ['signIns'], retry: { maxWaitMs: 1000 } });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(row(r, 'signIns')).toMatchObject({ verdict: 'failed', probe: { status: 'throttled', code: 'GRAPH_THROTTLED_TOO_LONG' } });
  });

  it('a probe that fails otherwise reports the status, Graph code and request-id', async () => {
    world = createCheckWorld({ roles: FULL_ROLES });
    world.graph.faults.add({ path: /\/oauth2PermissionGrants/, status: 500, graphCode: 'generalException', times: 1000 });
    const r = await world.check({ retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 } });
    expect(row(r, 'oauth2PermissionGrants').probe).toMatchObject({
      status: 'error', httpStatus: 500, code: 'generalException', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/), retries: 1,
    });
    expect(row(r, 'oauth2PermissionGrants').messages.join(' ')).toMatch(/still failed after 2 attempts: last status 500 \(generalException\), request-id/);
    expect(failed(r)).toEqual(['oauth2PermissionGrants']);
  });

  it("a cheap form Graph refuses as malformed (400) is sent again as the pull's own request", async () => {
    world = createCheckWorld({ roles: FULL_ROLES });
    world.graph.faults.add({ path: /\/groups\/delta\?.*\$deltatoken=latest/, status: 400, graphCode: 'Request_BadRequest' });
    world.graph.faults.add({ path: /\/oauth2PermissionGrants/, status: 400, graphCode: 'Request_BadRequest', times: 2 });
    const r = await world.check({ only: ['groups', 'oauth2PermissionGrants'] });
    expect(row(r, 'groups')).toMatchObject({ verdict: 'ok', probe: { status: 'ok' } });
    expect(row(r, 'groups').probe!.request).toMatch(/^\/groups\/delta\?\$select=[^&]*$/);
    expect(row(r, 'groups').probe!.note).toMatch(/Graph refused the cheap form .*deltatoken=latest \(400 Request_BadRequest\); probed the pull's own request instead/);
    // Refused in both forms: an error, with Graph's code.
    expect(row(r, 'oauth2PermissionGrants')).toMatchObject({ verdict: 'failed', probe: { status: 'error', httpStatus: 400, code: 'Request_BadRequest', request: '/oauth2PermissionGrants' } });
  });
});
