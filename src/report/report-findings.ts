/**
 * What `entra-extract report` finds (README, "report"): the same object is printed by `--json` and
 * rendered as the HTML file. Times are ISO-8601 UTC; ages are whole days or seconds as named.
 */

/** Who holds something: a user (login = UPN), a service principal (login = appId) or a group. */
export interface IdentityRef {
  type: 'user' | 'servicePrincipal' | 'group';
  id: string;
  name: string | null;
  login: string | null;
  /** accountEnabled; null when unknown (a group, or an object without a row). */
  enabled: boolean | null;
  /** Member or Guest for users, null otherwise. */
  userType: string | null;
}

/** The access kinds of the flat export (CONTRACT.md section 5). */
export const ACCESS_KINDS = ['group', 'directoryRole', 'roleAssignment', 'administrativeUnit', 'appRole', 'license', 'owner', 'delegatedGrant'] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/**
 * What an identity holds, counted the way the flat export lists it: groups transitively (a nested
 * group's groups too), directory roles, role assignments and app roles also through its direct
 * groups, each distinct thing once.
 */
export type Holdings = Record<AccessKind, number> & { total: number };

export interface SignIn {
  /** signInActivity.lastSuccessfulSignInDateTime; null when never (or not recorded). */
  lastSuccessful: string | null;
  /** signInActivity.lastSignInDateTime (interactive, successful or not). */
  lastInteractive: string | null;
  lastNonInteractive: string | null;
}

export interface CollectionFreshness {
  collection: string;
  /** As `status --check`: ok, stale (older than 26 h), failed, never, skipped (licence), unused (no run pulls it). */
  status: 'ok' | 'stale' | 'failed' | 'never' | 'skipped' | 'unused';
  lastSuccessAt: string | null;
  ageSeconds: number | null;
  lastOutcome: string | null;
  lastAttemptRun: number | null;
  error: string | null;
}

export interface RunRef {
  id: number;
  command: string;
  outcome: string;
  startedAt: string;
  endedAt: string | null;
}

export interface Freshness {
  tenantId: string | null;
  generatedAt: string;
  /** The last finished run: the data is as of its end. */
  lastRun: RunRef | null;
  /** A newer run still marked running (a pull going on, or one that died). */
  runInProgress: RunRef | null;
  collections: CollectionFreshness[];
  /** One sentence per problem a reader must see first: failed, skipped, stale or never-pulled collections. */
  warnings: string[];
}

export interface RoleHolding {
  role: { name: string | null; templateId: string | null; privileged: boolean };
  /** directoryScopeId: '/' (the tenant), '/administrativeUnits/<id>', '/<application object id>'. */
  scope: string;
  scopeType: 'tenant' | 'administrativeUnit' | 'application' | 'other';
  scopeName: string | null;
  holder: IdentityRef;
  /** The role-assignable group through which the holder (a direct member) holds it; null when held directly. */
  via: { id: string; name: string | null } | null;
  /** Where it was read: memberOf an activated directoryRole, hasRole (unified role assignment), or both. */
  sources: ('directoryRole' | 'roleAssignment')[];
  /** When it was first seen held (the start of the run that first read it; through a group, the later of the two links). */
  firstSeen: string | null;
}

export interface AppPermissionHolding {
  holder: IdentityRef;
  permission: string;
  tier: number;
  why: string;
  resource: { id: string; name: string | null };
  firstSeen: string | null;
}

export interface DelegatedGrantFinding {
  client: IdentityRef;
  resource: { id: string; name: string | null };
  /** The high-privilege scopes consented for all users (consentType AllPrincipals), best tier first. */
  scopes: string[];
  tier: number;
  /** Every scope consented for all users. */
  allScopes: string[];
}

export interface Privileged {
  roles: RoleHolding[];
  appPermissions: AppPermissionHolding[];
  delegatedGrants: DelegatedGrantFinding[];
  /** Distinct users and service principals holding a privileged role (directly or through a group). */
  privilegedHolders: number;
  globalAdministrators: number;
  sources: { roles: string; rolesAbout: string; permissions: string };
  /** Collections the section needs that no run has pulled completely. */
  missing: string[];
}

export interface AccountFinding {
  identity: IdentityRef;
  signIn: SignIn | null;
  /** Days since the last successful sign-in; null when never or unknown. */
  daysSinceSignIn: number | null;
  holds: Holdings;
}

export interface Dormant {
  dormantDays: number;
  /** Enabled users holding access without a successful sign-in since this time. */
  cutoff: string;
  /** False when no user has sign-in activity (the signInActivity collection not pulled or skipped). */
  signInActivityRead: boolean;
  /** Enabled users holding access whose sign-in activity is unknown: not judged. */
  unknown: number;
  rows: AccountFinding[];
}

export interface GuestFinding extends AccountFinding {
  externalUserState: string | null;
  /** Directory roles held (names, at any scope). */
  roles: string[];
}

export interface LeaverFinding extends AccountFinding {
  leaveDateTime: string;
  daysSinceLeave: number;
}

export interface Leavers {
  /** Whether the last users round read employeeLeaveDateTime (it needs User-LifeCycleInfo.Read.All); null when unknown. */
  leaveDateRead: boolean | null;
  rows: LeaverFinding[];
}

export interface AppObjectRef {
  type: 'application' | 'servicePrincipal';
  id: string;
  name: string | null;
  appId: string | null;
}

export interface CredentialFinding {
  object: AppObjectRef;
  credentialType: 'password' | 'certificate';
  keyId: string | null;
  displayName: string | null;
  endDateTime: string;
  status: 'expired' | 'expiring';
  /** Whole days until it expires (negative: expired that many days ago). */
  days: number;
}

export interface OwnerlessFinding {
  object: AppObjectRef;
  /** noOwner: no live owner at all; onlyDisabledOwners: every owner's account is disabled. */
  reason: 'noOwner' | 'onlyDisabledOwners';
  owners: IdentityRef[];
  /** A service principal whose app registration is in this tenant: how many owners that has (else null). */
  applicationOwners: number | null;
}

export interface ChangeGroup {
  relation: string;
  targetType: string;
  targetId: string;
  targetName: string | null;
  scope: string;
  /** What was granted, for sorting: 0 is the most privileged. */
  rank: number;
  label: string;
  count: number;
  /** Of them, undone again within the window. */
  undone: number;
  /** The first holders by name (at most 5). */
  holders: string[];
}

export interface RunChanges {
  run: number;
  startedAt: string;
  outcome: string;
  /** Links added or revived, and removed; objects created, changed or removed. First rounds (baseline) are not counted. */
  granted: number;
  removed: number;
  objects: number;
}

export interface Changes {
  available: boolean;
  /** Why not, when not available. */
  reason: string | null;
  window: { fromRun: number | null; fromTime: string | null; toRun: number | null; toTime: string | null; runs: number[] } | null;
  counts: { granted: number; removed: number; created: number; deleted: number; restored: number; changed: number; baselineLinks: number };
  granted: ChangeGroup[];
  removed: ChangeGroup[];
  /** Review-relevant property changes (accountEnabled, userType, ...): up to 200, newest first. */
  properties: { type: string; id: string; name: string | null; property: string; old: unknown; new: unknown; time: string }[];
  /** The last 30 runs of the ledger, oldest first. */
  perRun: RunChanges[];
}

export interface Summary {
  users: number;
  guests: number;
  disabledUsers: number;
  servicePrincipals: number;
  groups: number;
  applications: number;
  /** Identities (users and service principals) holding any access. */
  holders: number;
  /** Access held, by kind, summed over users and service principals. */
  accessByKind: Record<AccessKind, number>;
  /** Users holding access, by days since their last successful sign-in. */
  signInRecency: { bucket: string; users: number }[];
}

export interface ReportFindings {
  generatedAt: string;
  options: { dormantDays: number; expiryDays: number };
  summary: Summary;
  freshness: Freshness;
  privileged: Privileged;
  dormant: Dormant;
  guests: { rows: GuestFinding[] };
  disabledWithAccess: { rows: AccountFinding[] };
  leavers: Leavers;
  credentials: { expiryDays: number; rows: CredentialFinding[] };
  ownerless: { rows: OwnerlessFinding[] };
  changes: Changes;
}
