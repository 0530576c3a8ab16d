import type { Rng } from '../tenant/prng.js';
import { DOMAIN } from '../tenant/object-factory.js';
import type { AppRole, PermissionScope } from './graph-permissions.js';

/** Property bags of simulated service principals and applications, credentials and opaque ids. */

const DAY = 86_400_000;

/** ISO-8601 UTC without milliseconds, like the user factory. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Byte order of a GUID's 16 bytes in .NET (the first three groups little-endian): index of each hex pair. */
const GUID_ORDER = [6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34];

/** Writes a GUID's bytes in .NET order, as Graph's opaque ids hold them. */
function writeGuid(buf: Buffer, at: number, guid: string): void {
  for (let i = 0; i < 16; i++) buf[at + i] = parseInt(guid.substr(GUID_ORDER[i]!, 2), 16);
}

/** The 16 bytes of a GUID in .NET order. */
export function guidBytes(guid: string): Buffer {
  const b = Buffer.allocUnsafe(16);
  writeGuid(b, 0, guid);
  return b;
}

/** base64url of the parts: 2 GUIDs make the 43-character ids of appRoleAssignment and oAuth2PermissionGrant. */
export function opaqueId(...parts: Buffer[]): string {
  return Buffer.concat(parts).toString('base64url');
}

/**
 * An appRoleAssignment id like Graph's: the principal's id bytes, then 16 more
 * (https://learn.microsoft.com/graph/api/resources/approleassignment), 43 characters of base64url.
 */
export function assignmentId(principalId: string, rng: Rng): string {
  const b = Buffer.allocUnsafe(32);
  writeGuid(b, 0, principalId);
  for (let i = 16; i < 32; i += 4) b.writeUInt32LE(Math.floor(rng.next() * 4294967296), i);
  return b.toString('base64url');
}

export type CredentialAge = 'expired' | 'soon' | 'valid';

/** Mostly valid, some expired, some expiring within 30 days of `ref`. */
export function drawAge(rng: Rng): CredentialAge {
  const r = rng.next();
  return r < 0.2 ? 'expired' : r < 0.35 ? 'soon' : 'valid';
}

function window(rng: Rng, ref: number, age: CredentialAge): { start: string; end: string } {
  const end = age === 'expired' ? ref - rng.int(1, 400) * DAY : age === 'soon' ? ref + rng.int(1, 29) * DAY : ref + rng.int(60, 730) * DAY;
  const start = end - rng.pick([180, 365, 730]) * DAY;
  return { start: iso(start - (start % 1000)), end: iso(end - (end % 1000)) };
}

const HINT_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~.';

/** A passwordCredential as Graph returns it: secretText is only ever returned on creation (null here). */
export function passwordCredential(rng: Rng, ref: number, age: CredentialAge = drawAge(rng)): Record<string, unknown> {
  const { start, end } = window(rng, ref, age);
  let hint = '';
  for (let i = 0; i < 3; i++) hint += HINT_CHARS[rng.int(0, HINT_CHARS.length - 1)];
  return {
    customKeyIdentifier: null, displayName: rng.pick(['Production', 'CI pipeline', 'Automation', 'Legacy secret', 'Backup job', null]), endDateTime: end,
    hint, keyId: rng.guid(), secretText: null, startDateTime: start,
  };
}

/** A keyCredential (certificate): `key` is returned only on $select=keyCredentials of a single object (null here). */
export function keyCredential(rng: Rng, ref: number, subject: string, age: CredentialAge = drawAge(rng)): Record<string, unknown> {
  const { start, end } = window(rng, ref, age);
  const thumb = (rng.guid() + rng.guid()).replace(/-/g, '').slice(0, 40).toUpperCase();
  return {
    customKeyIdentifier: thumb, displayName: `CN=${subject}`, endDateTime: end, key: null, keyId: rng.guid(), startDateTime: start,
    type: 'AsymmetricX509Cert', usage: 'Verify',
  };
}

const ROLE_VALUES = ['Reader', 'Writer', 'Admin', 'Approver', 'Auditor', 'Task.Read.All', 'Task.ReadWrite.All', 'Report.Export', 'Data.Ingest'];

/** App roles an application defines: some for users and groups, some for applications, some both. */
export function customAppRoles(rng: Rng, n: number, appName: string): AppRole[] {
  const values = rng.shuffle([...ROLE_VALUES]).slice(0, n);
  return values.map((value) => {
    const r = rng.next();
    const allowedMemberTypes = r < 0.55 ? ['User'] : r < 0.8 ? ['Application'] : ['User', 'Application'];
    return {
      allowedMemberTypes, description: `${value} of ${appName}`, displayName: `${appName} ${value}`, id: rng.guid(), isEnabled: true,
      origin: 'Application', value,
    };
  });
}

/** The one delegated permission an API app exposes. */
export function customScope(rng: Rng, appName: string): PermissionScope {
  return {
    adminConsentDescription: `Allows the app to access ${appName} on behalf of the signed-in user.`, adminConsentDisplayName: `Access ${appName}`,
    id: rng.guid(), isEnabled: true, type: 'User', userConsentDescription: `Allows the app to access ${appName} on your behalf.`,
    userConsentDisplayName: `Access ${appName}`, value: 'user_impersonation',
  };
}

export type SpKind = 'own' | 'thirdParty' | 'managedIdentity' | 'legacy';

const VENDORS = ['Fabrikam', 'Northwind Traders', 'Tailspin Toys', 'Wingtip', 'Adventure Works', 'Litware', 'Proseware'];

/**
 * The properties of a service principal, exactly the set the simulation serves (see catalogs.ts):
 * unverified publishers come as {displayName: null, verifiedPublisherId: null, addedDateTime: null}.
 */
export function spProps(rng: Rng, o: {
  kind: SpKind; appId: string; displayName: string; tenantId: string; ref: number;
  appRoles?: AppRole[]; scopes?: PermissionScope[];
}): Record<string, unknown> {
  const vendor = rng.pick(VENDORS);
  const verified = o.kind === 'thirdParty' && rng.chance(0.6);
  const isApp = o.kind === 'own' || o.kind === 'thirdParty';
  const passwords = o.kind === 'own' && rng.chance(0.15) ? [passwordCredential(rng, o.ref)] : [];
  const keys = o.kind === 'legacy' || (isApp && rng.chance(0.12)) ? [keyCredential(rng, o.ref, `${o.displayName} SSO`)] : [];
  return {
    appId: o.appId,
    displayName: o.displayName,
    servicePrincipalType: o.kind === 'managedIdentity' ? 'ManagedIdentity' : o.kind === 'legacy' ? 'Legacy' : 'Application',
    accountEnabled: rng.chance(0.95),
    appOwnerOrganizationId: o.kind === 'own' ? o.tenantId : o.kind === 'thirdParty' ? rng.guid() : null,
    description: o.kind === 'own' ? 'Contoso' : o.kind === 'thirdParty' ? vendor : null,
    verifiedPublisher: verified
      ? { displayName: `${vendor}, Inc.`, verifiedPublisherId: String(rng.int(1_000_000, 9_999_999)), addedDateTime: iso(Date.UTC(2021, 0, 1) + rng.int(0, 900) * DAY) }
      : { displayName: null, verifiedPublisherId: null, addedDateTime: null },
    signInAudience: o.kind === 'thirdParty' ? 'AzureADMultipleOrgs' : o.kind === 'own' && rng.chance(0.1) ? 'AzureADMultipleOrgs' : 'AzureADMyOrg',
    appRoleAssignmentRequired: isApp && rng.chance(0.3),
    tags: isApp ? (rng.chance(0.1) ? ['HideApp', 'WindowsAzureActiveDirectoryIntegratedApp'] : ['WindowsAzureActiveDirectoryIntegratedApp']) : [],
    servicePrincipalNames: o.kind === 'managedIdentity'
      ? [o.appId, `https://identity.azure.net/${Buffer.from(o.appId).toString('base64url').slice(0, 24)}`]
      : o.kind === 'legacy' ? [o.appId, `https://legacy.${DOMAIN}/${o.appId.slice(0, 8)}`] : [o.appId, `api://${o.appId}`],
    appRoles: o.appRoles ?? [],
    oauth2PermissionScopes: o.scopes ?? [],
    passwordCredentials: passwords,
    keyCredentials: keys,
  };
}

const UNIT_AREAS = ['Europe', 'North America', 'Asia Pacific', 'Sales', 'Engineering', 'Finance', 'Contractors', 'Executives', 'Research', 'Support'];

/**
 * An administrative unit: visibility null or 'HiddenMembership'. Dynamic membership (membershipType,
 * membershipRule, membershipRuleProcessingState) is documented for beta only; the v1.0 resource has
 * description, displayName, id and visibility
 * (https://learn.microsoft.com/graph/api/resources/administrativeunit?view=graph-rest-1.0), so the
 * v1.0 simulation does not serve them. The generator still draws them, so every later draw (and id)
 * stays as it was.
 */
export function unitProps(rng: Rng, n: number, o: { hidden?: boolean; dynamic?: boolean } = {}): Record<string, unknown> {
  const area = rng.pick(UNIT_AREAS);
  const dynamic = o.dynamic ?? rng.chance(0.2);
  const props = {
    displayName: `${area} ${n}`,
    description: rng.chance(0.8) ? `Administration of ${area.toLowerCase()} (${n})` : null,
    visibility: (o.hidden ?? rng.chance(0.2)) ? 'HiddenMembership' : null,
  };
  // The draw the beta-only membershipType took: kept, so every later draw (and id) stays as it was.
  if (!dynamic) rng.chance(0.75);
  return props;
}

/** The properties of an application registration (same appId, roles and scopes as its service principal). */
export function appProps(rng: Rng, o: {
  appId: string; displayName: string; signInAudience: string; ref: number; appRoles: AppRole[]; scopes: PermissionScope[];
  requiredResourceAccess: { resourceAppId: string; resourceAccess: { id: string; type: 'Role' | 'Scope' }[] }[];
}): Record<string, unknown> {
  const nPw = rng.chance(0.75) ? rng.int(1, 3) : 0;
  const nKey = rng.chance(0.25) ? rng.int(1, 2) : 0;
  const passwords = Array.from({ length: nPw }, () => passwordCredential(rng, o.ref));
  const keys = Array.from({ length: nKey }, () => keyCredential(rng, o.ref, o.displayName));
  return {
    appId: o.appId,
    displayName: o.displayName,
    signInAudience: o.signInAudience,
    publisherDomain: DOMAIN,
    createdDateTime: iso(Date.UTC(2018, 0, 1) + rng.int(0, 2500) * DAY + rng.int(0, 86_399) * 1000),
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
    identifierUris: o.scopes.length > 0 ? [`api://${o.appId}`] : [],
    requiredResourceAccess: o.requiredResourceAccess,
    appRoles: o.appRoles,
    api: { acceptMappedClaims: null, knownClientApplications: [], oauth2PermissionScopes: o.scopes, preAuthorizedApplications: [], requestedAccessTokenVersion: null },
    passwordCredentials: passwords,
    keyCredentials: keys,
  };
}
