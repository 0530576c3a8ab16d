/**
 * Property catalogs of the simulated resources (Graph v1.0 names) and their $select handling.
 * The first list of each kind is what the simulation models and serves (a cleared value is null); the
 * other names Graph knows are accepted and, never being set, omitted.
 */

export type DeltaCollection = 'servicePrincipals' | 'applications' | 'directoryRoles' | 'administrativeUnits';

/** https://learn.microsoft.com/graph/api/resources/serviceprincipal */
// publisherName is a beta property: v1.0 answers 400 to a $select that names it.
export const SERVICE_PRINCIPAL_PROPERTIES = ['appId', 'displayName', 'servicePrincipalType', 'accountEnabled', 'appOwnerOrganizationId',
  'description', 'verifiedPublisher', 'signInAudience', 'appRoleAssignmentRequired', 'tags', 'servicePrincipalNames', 'appRoles',
  'oauth2PermissionScopes', 'passwordCredentials', 'keyCredentials'];
/** https://learn.microsoft.com/graph/api/resources/application */
export const APPLICATION_PROPERTIES = ['appId', 'displayName', 'signInAudience', 'publisherDomain', 'createdDateTime', 'verifiedPublisher',
  'identifierUris', 'requiredResourceAccess', 'appRoles', 'api', 'passwordCredentials', 'keyCredentials'];
/** https://learn.microsoft.com/graph/api/resources/directoryrole */
export const DIRECTORY_ROLE_PROPERTIES = ['displayName', 'description', 'roleTemplateId'];
/** https://learn.microsoft.com/graph/api/resources/administrativeunit */
// v1.0: membershipType, membershipRule and membershipRuleProcessingState are beta-only (a 400 in v1.0).
export const ADMINISTRATIVE_UNIT_PROPERTIES = ['displayName', 'description', 'visibility'];

const UNMODELLED: Record<DeltaCollection, string[]> = {
  servicePrincipals: ['addIns', 'alternativeNames', 'appDescription', 'appDisplayName', 'applicationTemplateId', 'customSecurityAttributes',
    'deletedDateTime', 'description', 'disabledByMicrosoftStatus', 'homepage', 'info', 'loginUrl', 'logoutUrl', 'notes',
    'notificationEmailAddresses', 'preferredSingleSignOnMode', 'preferredTokenSigningKeyThumbprint', 'replyUrls',
    'resourceSpecificApplicationPermissions', 'samlSingleSignOnSettings', 'tokenEncryptionKeyId'],
  applications: ['addIns', 'applicationTemplateId', 'certification', 'defaultRedirectUri', 'deletedDateTime', 'description',
    'disabledByMicrosoftStatus', 'groupMembershipClaims', 'info', 'isDeviceOnlyAuthSupported', 'isFallbackPublicClient', 'logo',
    'nativeAuthenticationApisEnabled', 'notes', 'oauth2RequirePostResponseTypes', 'optionalClaims', 'parentalControlSettings', 'publicClient',
    'requestSignatureVerification', 'samlMetadataUrl', 'serviceManagementReference', 'servicePrincipalLockConfiguration', 'spa', 'tags',
    'tokenEncryptionKeyId', 'uniqueName', 'web'],
  directoryRoles: ['deletedDateTime'],
  administrativeUnits: ['deletedDateTime', 'isMemberManagementRestricted'],
};

export const MODELLED: Record<DeltaCollection, string[]> = {
  servicePrincipals: SERVICE_PRINCIPAL_PROPERTIES,
  applications: APPLICATION_PROPERTIES,
  directoryRoles: DIRECTORY_ROLE_PROPERTIES,
  administrativeUnits: ADMINISTRATIVE_UNIT_PROPERTIES,
};

export const ODATA_TYPE: Record<DeltaCollection, string> = {
  servicePrincipals: 'microsoft.graph.servicePrincipal',
  applications: 'microsoft.graph.application',
  directoryRoles: 'microsoft.graph.directoryRole',
  administrativeUnits: 'microsoft.graph.administrativeUnit',
};

/** Whether the collection's delta tracks members (directoryRole and administrativeUnit delta return members@delta). */
export const HAS_MEMBERS: Record<DeltaCollection, boolean> = {
  servicePrincipals: false, applications: false, directoryRoles: true, administrativeUnits: true,
};

export interface DeltaSelection {
  /** Properties returned (id excluded: always returned). */
  props: string[];
  members: boolean;
  /** The $select as sent, or null. */
  raw: string | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const lookup = (names: string[]): Map<string, string> => new Map(names.map((n) => [n.toLowerCase(), n]));
const DELTA_LOOKUP = Object.fromEntries(
  (Object.keys(MODELLED) as DeltaCollection[]).map((k) => [k, lookup(['id', ...MODELLED[k], ...UNMODELLED[k]])]),
) as Record<DeltaCollection, Map<string, string>>;

/** $select of a delta query; without one, every modelled property (and members where tracked). */
export function parseDeltaSelect(kind: DeltaCollection, raw: string | null): Parsed<DeltaSelection> {
  if (raw === null) return { ok: true, value: { props: MODELLED[kind], members: HAS_MEMBERS[kind], raw } };
  const sel: DeltaSelection = { props: [], members: false, raw };
  for (const part of raw.split(',')) {
    const name = part.trim().toLowerCase();
    if (name === '') continue;
    if (name === 'members' && HAS_MEMBERS[kind]) { sel.members = true; continue; }
    const canonical = DELTA_LOOKUP[kind].get(name);
    if (!canonical) return { ok: false, message: `Could not find a property named '${part.trim()}' on type '${ODATA_TYPE[kind]}'.` };
    if (canonical !== 'id' && !sel.props.includes(canonical)) sel.props.push(canonical);
  }
  return { ok: true, value: sel };
}

export interface ListCatalog {
  odataType: string;
  props: string[];
}

export const APP_ROLE_ASSIGNMENT: ListCatalog = { odataType: 'microsoft.graph.appRoleAssignment',
  props: ['id', 'deletedDateTime', 'appRoleId', 'createdDateTime', 'principalDisplayName', 'principalId', 'principalType', 'resourceDisplayName', 'resourceId'] };
export const GRANT: ListCatalog = { odataType: 'microsoft.graph.oAuth2PermissionGrant',
  props: ['clientId', 'consentType', 'id', 'principalId', 'resourceId', 'scope'] };
export const ROLE_DEFINITION: ListCatalog = { odataType: 'microsoft.graph.unifiedRoleDefinition',
  props: ['id', 'description', 'displayName', 'isBuiltIn', 'isEnabled', 'resourceScopes', 'templateId', 'version', 'rolePermissions'] };
export const ROLE_ASSIGNMENT: ListCatalog = { odataType: 'microsoft.graph.unifiedRoleAssignment',
  props: ['id', 'principalId', 'roleDefinitionId', 'directoryScopeId', 'appScopeId', 'condition'] };
export const SUBSCRIBED_SKU: ListCatalog = { odataType: 'microsoft.graph.subscribedSku',
  props: ['accountId', 'accountName', 'appliesTo', 'capabilityStatus', 'consumedUnits', 'id', 'prepaidUnits', 'servicePlans', 'skuId', 'skuPartNumber', 'subscriptionIds'] };
/** Owners are directoryObjects; the simulation serves these of their properties. */
export const DIRECTORY_OBJECT: ListCatalog = { odataType: 'microsoft.graph.directoryObject', props: ['id', 'deletedDateTime', 'displayName'] };

/** $select of a list: the names to keep, or null for all. */
export function parseListSelect(cat: ListCatalog, raw: string | null): Parsed<string[] | null> {
  if (raw === null) return { ok: true, value: null };
  const known = lookup(cat.props);
  const out: string[] = [];
  for (const part of raw.split(',')) {
    const name = part.trim();
    if (name === '') continue;
    const canonical = known.get(name.toLowerCase());
    if (!canonical) return { ok: false, message: `Could not find a property named '${name}' on type '${cat.odataType}'.` };
    if (!out.includes(canonical)) out.push(canonical);
  }
  if (!out.includes('id') && cat.props.includes('id')) out.unshift('id');
  return { ok: true, value: out };
}
