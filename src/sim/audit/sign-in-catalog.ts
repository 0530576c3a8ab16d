/**
 * The fixed catalogs a simulated sign-in draws from. An event stores small indices into these
 * tables (see sign-in-store.ts), so 300,000 events stay compact.
 *
 * App ids are the real ids of Microsoft first-party apps, as they appear in sign-in logs
 * (https://learn.microsoft.com/troubleshoot/entra/entra-id/governance/verify-first-party-apps-sign-in).
 */

export interface ResourceEntry {
  displayName: string;
  id: string;
}

export const RESOURCES: readonly ResourceEntry[] = [
  { displayName: 'Microsoft Graph', id: '00000003-0000-0000-c000-000000000000' },
  { displayName: 'Office 365 Exchange Online', id: '00000002-0000-0ff1-ce00-000000000000' },
  { displayName: 'Office 365 SharePoint Online', id: '00000003-0000-0ff1-ce00-000000000000' },
  { displayName: 'Windows Azure Service Management API', id: '797f4846-ba00-4fd7-ba43-dac1f8f63013' },
  { displayName: 'Microsoft Teams Services', id: 'cc15fd57-2c6c-4117-a88c-83b1d56b4bbe' },
];

export interface AppEntry {
  displayName: string;
  id: string;
  /** Indices into RESOURCES this app signs in to, the first most often. */
  resources: readonly number[];
  /** Relative frequency. */
  weight: number;
  /** Browser apps sign in through 'Browser'; the others through clients. */
  browser: boolean;
}

export const APPS: readonly AppEntry[] = [
  { displayName: 'Office 365 Exchange Online', id: '00000002-0000-0ff1-ce00-000000000000', resources: [1], weight: 14, browser: true },
  { displayName: 'Microsoft Teams', id: '1fec8e78-bce4-4aaf-ab1b-5451cc387264', resources: [4, 0], weight: 18, browser: false },
  { displayName: 'Azure Portal', id: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c', resources: [3, 0], weight: 6, browser: true },
  { displayName: 'Microsoft Graph Command Line Tools', id: '14d82eec-204b-4c2f-b7e8-296a70dab67e', resources: [0], weight: 2, browser: false },
  { displayName: 'Office 365 SharePoint Online', id: '00000003-0000-0ff1-ce00-000000000000', resources: [2], weight: 10, browser: true },
  { displayName: 'Microsoft Office', id: 'd3590ed6-52b3-4102-aeff-aad2292ab01c', resources: [0, 2, 1], weight: 16, browser: false },
  { displayName: 'OfficeHome', id: '4765445b-32c6-49b0-83e6-1d93765276ca', resources: [0], weight: 12, browser: true },
  { displayName: 'My Apps', id: '2793995e-0a7d-40d7-bd35-6968ba142197', resources: [0], weight: 3, browser: true },
  { displayName: 'Microsoft Authentication Broker', id: '29d9ed98-a469-4536-ade2-f981bc1d605e', resources: [0], weight: 8, browser: false },
  { displayName: 'Graph Explorer', id: 'de8bc8b5-d9f9-48b1-a8ad-b748da725064', resources: [0], weight: 1, browser: true },
  { displayName: 'Microsoft Azure CLI', id: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', resources: [3, 0], weight: 2, browser: false },
  { displayName: 'Microsoft Azure PowerShell', id: '1950a258-227b-4e31-a9cf-717495945fc2', resources: [3], weight: 1, browser: false },
  { displayName: 'Outlook Mobile', id: '27922004-5251-4030-b22d-91ecd9a37ea4', resources: [1], weight: 7, browser: false },
];

/** clientAppUsed values (signIn resource: https://learn.microsoft.com/graph/api/resources/signin). */
export const CLIENT_APPS = ['Browser', 'Mobile Apps and Desktop clients', 'Exchange ActiveSync', 'IMAP4'] as const;
export const CLIENT_BROWSER = 0;
export const CLIENT_MODERN = 1;
export const CLIENT_EAS = 2;
export const CLIENT_IMAP = 3;

export interface StatusEntry {
  errorCode: number;
  failureReason: string | null;
  additionalDetails: string | null;
}

/**
 * status.errorCode and its failureReason: index 0 is success. Codes and texts from
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes.
 */
export const STATUSES: readonly StatusEntry[] = [
  { errorCode: 0, failureReason: null, additionalDetails: null },
  { errorCode: 50126, failureReason: 'Error validating credentials due to invalid username or password.', additionalDetails: 'The user didn\'t enter the right credentials. It\'s expected to see some number of these errors in your logs due to users making mistakes.' },
  { errorCode: 50074, failureReason: 'Strong Authentication is required.', additionalDetails: 'The user is required to complete multi-factor authentication.' },
  { errorCode: 50140, failureReason: 'This error occurred due to \'Keep me signed in\' interrupt when the user was signing in.', additionalDetails: null },
  { errorCode: 50053, failureReason: 'Account is locked because user tried to sign in too many times with an incorrect user ID or password.', additionalDetails: null },
  { errorCode: 53003, failureReason: 'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.', additionalDetails: null },
  { errorCode: 50057, failureReason: 'User account is disabled. The account has been disabled by an administrator.', additionalDetails: null },
  { errorCode: 500121, failureReason: 'Authentication failed during strong authentication request.', additionalDetails: 'The user didn\'t complete the MFA prompt.' },
  { errorCode: 50055, failureReason: 'The password is expired.', additionalDetails: null },
];
export const STATUS_OK = 0;
export const STATUS_BAD_PASSWORD = 1;
export const STATUS_CA_BLOCKED = 5;
export const STATUS_DISABLED = 6;
/** Ordinary failures drawn at random (not the CA block nor the disabled account). */
export const RANDOM_FAILURES = [1, 1, 1, 1, 2, 2, 3, 3, 4, 7, 8, 5] as const;

export interface LocationEntry {
  city: string;
  state: string;
  countryOrRegion: string;
  latitude: number;
  longitude: number;
  /** First two octets of the addresses handed out there. */
  net: [number, number];
}

export const LOCATIONS: readonly LocationEntry[] = [
  { city: 'Redmond', state: 'Washington', countryOrRegion: 'US', latitude: 47.68050003051758, longitude: -122.12094116210938, net: [131, 107] },
  { city: 'Seattle', state: 'Washington', countryOrRegion: 'US', latitude: 47.60300064086914, longitude: -122.33000183105469, net: [73, 109] },
  { city: 'New York', state: 'New York', countryOrRegion: 'US', latitude: 40.71427917480469, longitude: -74.00597381591797, net: [68, 160] },
  { city: 'Toronto', state: 'Ontario', countryOrRegion: 'CA', latitude: 43.70011138916016, longitude: -79.41629791259766, net: [99, 230] },
  { city: 'London', state: 'England', countryOrRegion: 'GB', latitude: 51.50852966308594, longitude: -0.12574000656604767, net: [81, 2] },
  { city: 'Amsterdam', state: 'Noord-Holland', countryOrRegion: 'NL', latitude: 52.37402954101562, longitude: 4.889689922332764, net: [145, 53] },
  { city: 'Berlin', state: 'Berlin', countryOrRegion: 'DE', latitude: 52.52436828613281, longitude: 13.410530090332031, net: [85, 214] },
  { city: 'Lisbon', state: 'Lisboa', countryOrRegion: 'PT', latitude: 38.71666717529297, longitude: -9.133330345153809, net: [85, 240] },
  { city: 'Singapore', state: 'Singapore', countryOrRegion: 'SG', latitude: 1.289669990539551, longitude: 103.8499984741211, net: [116, 86] },
  { city: 'Sydney', state: 'New South Wales', countryOrRegion: 'AU', latitude: -33.86785125732422, longitude: 151.2073211669922, net: [101, 160] },
];

export interface DeviceEntry {
  operatingSystem: string;
  browser: string;
  managed: boolean;
  trustType: string | null;
  /** Client apps this device signs in with (a browser profile with 'Browser'). */
  browserProfile: boolean;
}

export const DEVICES: readonly DeviceEntry[] = [
  { operatingSystem: 'Windows 10', browser: 'Edge 122.0.0', managed: true, trustType: 'Azure AD joined', browserProfile: true },
  { operatingSystem: 'Windows 10', browser: 'Chrome 121.0.0', managed: true, trustType: 'Hybrid Azure AD joined', browserProfile: true },
  { operatingSystem: 'MacOs', browser: 'Safari 17.3', managed: false, trustType: null, browserProfile: true },
  { operatingSystem: 'Windows 10', browser: 'Rich Client 5.2.0.0', managed: true, trustType: 'Azure AD joined', browserProfile: false },
  { operatingSystem: 'Ios', browser: 'Mobile Safari 17.2', managed: false, trustType: null, browserProfile: true },
  { operatingSystem: 'Ios', browser: 'Rich Client 4.60.0', managed: true, trustType: 'Azure AD registered', browserProfile: false },
  { operatingSystem: 'Android', browser: 'Rich Client 4.2305.1', managed: false, trustType: null, browserProfile: false },
  { operatingSystem: 'Linux', browser: 'Firefox 123.0', managed: false, trustType: null, browserProfile: true },
];

export interface RiskEntry {
  riskDetail: string;
  riskLevelAggregated: string;
  riskLevelDuringSignIn: string;
  riskState: string;
  riskEventTypes: readonly string[];
}

/** Risk data needs Entra ID P2 (graph-facts 5.1); index 0 is "no risk". */
export const RISKS: readonly RiskEntry[] = [
  { riskDetail: 'none', riskLevelAggregated: 'none', riskLevelDuringSignIn: 'none', riskState: 'none', riskEventTypes: [] },
  { riskDetail: 'none', riskLevelAggregated: 'low', riskLevelDuringSignIn: 'low', riskState: 'atRisk', riskEventTypes: ['unfamiliarFeatures'] },
  { riskDetail: 'userPassedMFADrivenByRiskBasedPolicy', riskLevelAggregated: 'medium', riskLevelDuringSignIn: 'medium', riskState: 'remediated', riskEventTypes: ['anonymizedIPAddress'] },
  { riskDetail: 'adminConfirmedSigninCompromised', riskLevelAggregated: 'high', riskLevelDuringSignIn: 'high', riskState: 'confirmedCompromised', riskEventTypes: ['maliciousIPAddress', 'unfamiliarFeatures'] },
];

/** Without P2 the risk properties read `hidden` (https://learn.microsoft.com/graph/api/resources/signin). */
export const HIDDEN_RISK: RiskEntry = { riskDetail: 'hidden', riskLevelAggregated: 'hidden', riskLevelDuringSignIn: 'hidden', riskState: 'none', riskEventTypes: [] };

/** conditionalAccessStatus values. */
export const CA_STATUSES = ['success', 'failure', 'notApplied'] as const;
export const CA_SUCCESS = 0;
export const CA_FAILURE = 1;
export const CA_NOT_APPLIED = 2;

export interface CaPolicy {
  id: string;
  displayName: string;
  grant: readonly string[];
}

export const CA_POLICIES: readonly CaPolicy[] = [
  { id: 'de7e60eb-ed89-4d73-8205-2227def6b7c9', displayName: 'Require MFA for all users', grant: ['Mfa'] },
  { id: '6701123a-b4c6-48af-8565-565c8bf7cabc', displayName: 'Block legacy authentication', grant: ['Block'] },
  { id: '0b4a3e7c-8f57-4d8e-9d8a-2f1f5c3b7e21', displayName: 'Require compliant device for admins', grant: ['RequireCompliantDevice'] },
];

export interface AppliedPolicy {
  id: string;
  displayName: string;
  enforcedGrantControls: string[];
  enforcedSessionControls: string[];
  result: string;
}

/** appliedConditionalAccessPolicies for a conditionalAccessStatus (fresh arrays: callers may keep them). */
export function appliedPolicies(ca: number): AppliedPolicy[] {
  return CA_POLICIES.map((p, i) => {
    let result = 'notApplied';
    if (ca === CA_SUCCESS && i === 0) result = 'success';
    if (ca === CA_FAILURE && i === 1) result = 'failure';
    const enforced = result === 'notApplied' ? [] : [...p.grant];
    return { id: p.id, displayName: p.displayName, enforcedGrantControls: enforced, enforcedSessionControls: [], result };
  });
}
