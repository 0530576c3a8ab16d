import type { Rng } from './prng.js';

/** Builds realistic property bags for simulated users and groups. Unset properties are absent (Graph omits them). */
const GIVEN = ['Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Tim', 'Radia', 'Edsger', 'Katherine', 'John', 'Hedy', 'Donald', 'Sophie', 'Niklaus', 'Anita', 'Leslie', 'Mary', 'Vint', 'Shafi', 'Whitfield', 'Evelyn', 'Jean', 'Carol', 'Guido', 'Yukihiro', 'Bjarne'];
const SUR = ['Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Berners-Lee', 'Perlman', 'Dijkstra', 'Johnson', 'McCarthy', 'Lamarr', 'Knuth', 'Wilson', 'Wirth', 'Borg', 'Lamport', 'Kenneth', 'Cerf', 'Goldwasser', 'Diffie', 'Boyd', 'Sammet', 'Shaw', 'Rossum', 'Matsumoto', 'Stroustrup'];
const DEPTS = ['Engineering', 'Sales', 'Marketing', 'Finance', 'Human Resources', 'Legal', 'Operations', 'Support', 'Research', 'IT'];
const TITLES = ['Engineer', 'Senior Engineer', 'Manager', 'Director', 'Analyst', 'Specialist', 'Consultant', 'Administrator', 'Coordinator', 'Architect'];
const OFFICES = ['Amsterdam', 'Berlin', 'Lisbon', 'London', 'New York', 'Seattle', 'Singapore', 'Sydney', 'Toronto', 'Remote'];
export const SKUS = ['6fd2c87f-b296-42f0-b197-1e91e994b900', 'c7df2760-2c81-4ef7-b578-5b5392b571df', '05e9a617-0261-4cee-bb44-138d3ef5d965', '078d2b04-f1bd-4111-bbd4-b4b1b354cef4'];

export const DOMAIN = 'contoso.example';

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

const BASE_TIME = Date.UTC(2016, 0, 1);
const SPAN = Date.UTC(2025, 0, 1) - BASE_TIME;

export function userProps(rng: Rng, n: number, opts: { guest: boolean; disabled: boolean; leaver: boolean; synced: boolean }): Record<string, unknown> {
  const given = rng.pick(GIVEN);
  const sur = rng.pick(SUR);
  const nick = `${given}.${sur}.${n}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
  const created = BASE_TIME + Math.floor(rng.next() * SPAN);
  const p: Record<string, unknown> = {
    displayName: `${given} ${sur}`,
    givenName: given,
    surname: sur,
    accountEnabled: !opts.disabled,
    createdDateTime: iso(created),
    // Derived, not drawn: the generator's sequence (and so every id) stays as it was.
    lastPasswordChangeDateTime: iso(created + (n % 400) * 86_400_000),
    businessPhones: rng.chance(0.7) ? [`+1 425 555 ${String(1000 + (n % 9000)).padStart(4, '0')}`] : [],
    preferredLanguage: 'en-US',
    assignedLicenses: [],
  };
  if (opts.guest) {
    const ext = `${nick}@partner${n % 17}.example`;
    p.userType = 'Guest';
    p.userPrincipalName = `${ext.replace('@', '_')}#EXT#@${DOMAIN}`;
    p.mail = ext;
    p.creationType = 'Invitation';
    p.externalUserState = rng.chance(0.8) ? 'Accepted' : 'PendingAcceptance';
    p.companyName = `Partner ${n % 17}`;
    return p;
  }
  p.userType = 'Member';
  p.userPrincipalName = `${nick}@${DOMAIN}`;
  p.mail = `${nick}@${DOMAIN}`;
  p.jobTitle = rng.pick(TITLES);
  p.department = rng.pick(DEPTS);
  p.companyName = 'Contoso';
  p.officeLocation = rng.pick(OFFICES);
  p.employeeId = String(100000 + n);
  p.employeeType = rng.chance(0.9) ? 'Employee' : 'Contractor';
  p.employeeHireDate = iso(created);
  if (rng.chance(0.4)) p.mobilePhone = `+1 206 555 ${String(n % 10000).padStart(4, '0')}`;
  if (opts.leaver) p.employeeLeaveDateTime = iso(Date.UTC(2025, 0, 1) + Math.floor(rng.next() * 3e10));
  p.assignedLicenses = rng.chance(0.85) ? [{ skuId: rng.pick(SKUS), disabledPlans: [] }] : [];
  if (opts.synced) {
    p.onPremisesSyncEnabled = true;
    p.onPremisesImmutableId = Buffer.from(rng.guid()).toString('base64').slice(0, 24);
    p.onPremisesSamAccountName = nick.slice(0, 20);
    p.onPremisesDomainName = 'corp.contoso.example';
    p.onPremisesLastSyncDateTime = iso(Date.UTC(2025, 5, 1) + Math.floor(rng.next() * 8.64e7));
  }
  return p;
}

export type GroupKind = 'security' | 'unified' | 'dynamic' | 'mailSecurity';

export function groupProps(rng: Rng, n: number, kind: GroupKind, synced: boolean): Record<string, unknown> {
  const dept = rng.pick(DEPTS);
  const name = `${dept} ${kind === 'unified' ? 'Team' : 'Access'} ${n}`;
  const nick = `${dept.replace(/\s/g, '').toLowerCase()}-${n}`;
  const p: Record<string, unknown> = {
    displayName: name,
    description: `${name} (${kind})`,
    mailNickname: nick,
    createdDateTime: iso(BASE_TIME + Math.floor(rng.next() * SPAN)),
    isAssignableToRole: kind === 'security' && rng.chance(0.05),
    groupTypes: kind === 'unified' ? ['Unified'] : kind === 'dynamic' ? ['DynamicMembership'] : [],
    mailEnabled: kind === 'unified' || kind === 'mailSecurity',
    securityEnabled: kind !== 'unified' || rng.chance(0.3),
    mail: kind === 'unified' || kind === 'mailSecurity' ? `${nick}@${DOMAIN}` : null,
    visibility: kind === 'unified' ? (rng.chance(0.7) ? 'Private' : 'Public') : null,
    membershipRule: kind === 'dynamic' ? `(user.department -eq "${dept}")` : null,
    membershipRuleProcessingState: kind === 'dynamic' ? 'On' : null,
  };
  if (synced) {
    p.onPremisesSyncEnabled = true;
    p.onPremisesSecurityIdentifier = `S-1-5-21-${1000 + (n % 9000)}-${2000 + (n % 7000)}-${3000 + n}`;
  }
  return p;
}
