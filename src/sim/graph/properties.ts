/**
 * Property catalogs of user and group (Graph v1.0) and $select handling.
 * A name Graph knows but the simulation does not model is accepted and, never being set, omitted.
 */
const USER_PROPS = ['id', 'aboutMe', 'accountEnabled', 'ageGroup', 'assignedLicenses', 'assignedPlans', 'birthday', 'businessPhones', 'city',
  'companyName', 'consentProvidedForMinor', 'country', 'createdDateTime', 'creationType', 'deletedDateTime', 'department', 'displayName',
  'employeeHireDate', 'employeeId', 'employeeLeaveDateTime', 'employeeOrgData', 'employeeType', 'externalUserState',
  'externalUserStateChangeDateTime', 'faxNumber', 'givenName', 'hireDate', 'identities', 'imAddresses', 'interests', 'isResourceAccount',
  'jobTitle', 'lastPasswordChangeDateTime', 'legalAgeGroupClassification', 'licenseAssignmentStates', 'mail', 'mailNickname', 'mobilePhone',
  'mySite', 'officeLocation', 'onPremisesDistinguishedName', 'onPremisesDomainName', 'onPremisesExtensionAttributes',
  'onPremisesImmutableId', 'onPremisesLastSyncDateTime', 'onPremisesProvisioningErrors', 'onPremisesSamAccountName',
  'onPremisesSecurityIdentifier', 'onPremisesSyncEnabled', 'onPremisesUserPrincipalName', 'otherMails', 'passwordPolicies',
  'postalCode', 'preferredDataLocation', 'preferredLanguage', 'preferredName', 'provisionedPlans', 'proxyAddresses', 'securityIdentifier',
  'showInAddressList', 'signInSessionsValidFromDateTime', 'state', 'streetAddress', 'surname', 'usageLocation', 'userPrincipalName',
  'userType'];

const GROUP_PROPS = ['id', 'assignedLabels', 'assignedLicenses', 'classification', 'createdDateTime', 'deletedDateTime', 'description',
  'displayName', 'expirationDateTime', 'groupTypes', 'isAssignableToRole', 'licenseProcessingState', 'mail', 'mailEnabled', 'mailNickname',
  'membershipRule', 'membershipRuleProcessingState', 'onPremisesDomainName', 'onPremisesLastSyncDateTime', 'onPremisesNetBiosName',
  'onPremisesProvisioningErrors', 'onPremisesSamAccountName', 'onPremisesSecurityIdentifier', 'onPremisesSyncEnabled',
  'preferredDataLocation', 'preferredLanguage', 'proxyAddresses', 'renewedDateTime', 'securityEnabled', 'securityIdentifier', 'theme',
  'visibility'];

/** user-delta.md: the properties returned and tracked when no $select is given. */
export const USER_DEFAULT = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation',
  'preferredLanguage', 'surname', 'userPrincipalName'];
/** Groups without $select: the group's properties (the ones the simulation models) plus members@delta. */
export const GROUP_DEFAULT = ['createdDateTime', 'description', 'displayName', 'groupTypes', 'isAssignableToRole', 'mail', 'mailEnabled',
  'mailNickname', 'membershipRule', 'membershipRuleProcessingState', 'onPremisesSecurityIdentifier', 'onPremisesSyncEnabled',
  'securityEnabled', 'visibility'];

export type Collection = 'users' | 'groups';

export interface Selection {
  /** Scalar properties returned and tracked (id excluded: always returned). */
  props: string[];
  manager: boolean;
  members: boolean;
  owners: boolean;
  /** The $select as the client sent it (kept for the 410 Location), or null. */
  raw: string | null;
}

const lower = (names: string[]): Map<string, string> => new Map(names.map((n) => [n.toLowerCase(), n]));
const USER_LOOKUP = lower(USER_PROPS);
const GROUP_LOOKUP = lower(GROUP_PROPS);

export type SelectResult = { ok: true; selection: Selection } | { ok: false; code: string; message: string };

export function parseSelect(kind: Collection, raw: string | null): SelectResult {
  if (raw === null) {
    return kind === 'users'
      ? { ok: true, selection: { props: USER_DEFAULT, manager: false, members: false, owners: false, raw } }
      : { ok: true, selection: { props: GROUP_DEFAULT, manager: false, members: true, owners: false, raw } };
  }
  const sel: Selection = { props: [], manager: false, members: false, owners: false, raw };
  const lookup = kind === 'users' ? USER_LOOKUP : GROUP_LOOKUP;
  const type = kind === 'users' ? 'user' : 'group';
  for (const part of raw.split(',')) {
    const name = part.trim().toLowerCase();
    if (name === '') continue;
    if (kind === 'users' && name === 'signinactivity') {
      // graph-facts 1.4: signInActivity cannot be used with users/delta.
      return { ok: false, code: 'BadRequest', message: 'Invalid request for delta query: for this entity set, $expand/$select is not supported for the following properties: signInActivity' };
    }
    if (kind === 'users' && name === 'manager') { sel.manager = true; continue; }
    if (kind === 'groups' && name === 'members') { sel.members = true; continue; }
    if (kind === 'groups' && name === 'owners') { sel.owners = true; continue; }
    const canonical = lookup.get(name);
    if (!canonical) {
      return { ok: false, code: 'Request_BadRequest', message: `Could not find a property named '${part.trim()}' on type 'microsoft.graph.${type}'.` };
    }
    if (canonical !== 'id' && !sel.props.includes(canonical)) sel.props.push(canonical);
  }
  return { ok: true, selection: sel };
}

/**
 * `$filter=id eq '…' or id eq '…'`, the only filter the directory delta functions accept: at most 50
 * ids for users and groups (user-delta, group-delta); `max` for the others. Null when malformed.
 */
export function parseIdFilter(raw: string, max = 50): Set<string> | null {
  const parts = raw.split(/\s+or\s+/i);
  if (parts.length > max) return null;
  const ids = new Set<string>();
  for (const p of parts) {
    const m = /^\s*id\s+eq\s+'([0-9a-fA-F-]{36})'\s*$/.exec(p);
    if (!m) return null;
    ids.add((m[1] as string).toLowerCase());
  }
  return ids;
}
