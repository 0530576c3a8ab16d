/**
 * The Metadata (v1) JSON of each entity type in entities.csv: the properties a reviewer acts on,
 * under stable names, in a fixed order. A property the database does not know (not selected, no
 * license, never set) is left out rather than written as null. schemas/export.md lists them.
 */
type Data = Readonly<Record<string, unknown>>;
export type Metadata = Record<string, unknown>;

/** The object without its null and undefined values (key order kept). */
function known(fields: Metadata): Metadata {
  const out: Metadata = {};
  for (const [k, v] of Object.entries(fields)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

const obj = (v: unknown): Data | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Data) : undefined);

/** The end dates of a credential list (passwordCredentials, keyCredentials), earliest first; undefined when none. */
function endDates(list: unknown): string[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const dates = list.map((c) => obj(c)?.endDateTime).filter((d): d is string => typeof d === 'string').sort();
  return dates.length > 0 ? dates : undefined;
}

export interface UserFacts {
  managerId?: string | null;
  managerUsername?: string | null;
}

export function userMetadata(d: Data, facts: UserFacts = {}): Metadata {
  const activity = obj(d.signInActivity);
  return known({
    username: d.userPrincipalName,
    email: d.mail,
    jobTitle: d.jobTitle,
    department: d.department,
    companyName: d.companyName,
    employeeId: d.employeeId,
    employeeType: d.employeeType,
    userType: d.userType,
    accountEnabled: d.accountEnabled,
    userCreatedDateTime: d.createdDateTime,
    lastPasswordChange: d.lastPasswordChangeDateTime,
    employeeHireDate: d.employeeHireDate,
    employeeLeaveDateTime: d.employeeLeaveDateTime,
    lastSuccessfulSignIn: activity?.lastSuccessfulSignInDateTime,
    lastInteractiveSignIn: activity?.lastSignInDateTime,
    lastNonInteractiveSignIn: activity?.lastNonInteractiveSignInDateTime,
    externalUserState: d.externalUserState,
    onPremisesSyncEnabled: d.onPremisesSyncEnabled,
    managerId: facts.managerId,
    managerUsername: facts.managerUsername,
  });
}

export function groupMetadata(d: Data): Metadata {
  const types = Array.isArray(d.groupTypes) ? (d.groupTypes as unknown[]) : undefined;
  return known({
    description: d.description,
    mail: d.mail,
    groupTypes: types,
    securityEnabled: d.securityEnabled,
    mailEnabled: d.mailEnabled,
    dynamicMembership: types ? types.includes('DynamicMembership') : undefined,
    membershipRule: d.membershipRule,
    isAssignableToRole: d.isAssignableToRole,
    visibility: d.visibility,
    onPremisesSyncEnabled: d.onPremisesSyncEnabled,
    createdDateTime: d.createdDateTime,
    expirationDateTime: d.expirationDateTime,
  });
}

export function directoryRoleMetadata(d: Data): Metadata {
  return known({ description: d.description, roleTemplateId: d.roleTemplateId });
}

export function roleDefinitionMetadata(d: Data): Metadata {
  return known({ description: d.description, isBuiltIn: d.isBuiltIn, isEnabled: d.isEnabled, templateId: d.templateId });
}

export function administrativeUnitMetadata(d: Data): Metadata {
  return known({
    description: d.description,
    visibility: d.visibility,
    membershipType: d.membershipType,
    membershipRule: d.membershipRule,
  });
}

export function servicePrincipalMetadata(d: Data): Metadata {
  return known({
    appId: d.appId,
    servicePrincipalType: d.servicePrincipalType,
    accountEnabled: d.accountEnabled,
    appOwnerOrganizationId: d.appOwnerOrganizationId,
    description: d.description,
    verifiedPublisher: obj(d.verifiedPublisher)?.displayName,
    signInAudience: d.signInAudience,
    appRoleAssignmentRequired: d.appRoleAssignmentRequired,
    passwordCredentialsEnd: endDates(d.passwordCredentials),
    keyCredentialsEnd: endDates(d.keyCredentials),
  });
}

export function applicationMetadata(d: Data): Metadata {
  return known({
    appId: d.appId,
    signInAudience: d.signInAudience,
    publisherDomain: d.publisherDomain,
    verifiedPublisher: obj(d.verifiedPublisher)?.displayName,
    createdDateTime: d.createdDateTime,
    passwordCredentialsEnd: endDates(d.passwordCredentials),
    keyCredentialsEnd: endDates(d.keyCredentials),
  });
}

export interface AppRoleFacts {
  resourceId: string;
  resourceName: string | null;
}

export function appRoleMetadata(d: Data, facts: AppRoleFacts): Metadata {
  return known({
    value: d.value,
    description: d.description,
    isEnabled: d.isEnabled,
    allowedMemberTypes: d.allowedMemberTypes,
    resourceId: facts.resourceId,
    resourceName: facts.resourceName,
  });
}

export function subscribedSkuMetadata(d: Data): Metadata {
  return known({
    skuId: d.skuId,
    skuPartNumber: d.skuPartNumber,
    capabilityStatus: d.capabilityStatus,
    appliesTo: d.appliesTo,
    enabledUnits: obj(d.prepaidUnits)?.enabled,
    consumedUnits: d.consumedUnits,
  });
}
