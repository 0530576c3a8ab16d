import { hashGuid } from './hash-guid.js';
import { formatUs } from './graph-time.js';
import { APPS, CA_STATUSES, CLIENT_APPS, DEVICES, HIDDEN_RISK, LOCATIONS, RESOURCES, RISKS, STATUSES, appliedPolicies, type AppliedPolicy } from './sign-in-catalog.js';
import type { SignInStore } from './sign-in-store.js';

/** The user of a sign-in as they were at sign-in time (the log keeps the values of that moment). */
export interface Actor {
  userId: string;
  displayName: string | null;
  userPrincipalName: string | null;
}

/** The v1.0 signIn resource (https://learn.microsoft.com/graph/api/resources/signin, graph-facts 5.1). */
export interface SignIn {
  id: string;
  createdDateTime: string;
  userDisplayName: string | null;
  userPrincipalName: string | null;
  userId: string;
  appId: string;
  appDisplayName: string;
  ipAddress: string;
  clientAppUsed: string;
  correlationId: string;
  conditionalAccessStatus: string;
  isInteractive: boolean;
  riskDetail: string;
  riskLevelAggregated: string;
  riskLevelDuringSignIn: string;
  riskState: string;
  riskEventTypes: string[];
  riskEventTypes_v2: string[];
  resourceDisplayName: string;
  resourceId: string;
  status: { errorCode: number; failureReason: string | null; additionalDetails: string | null };
  deviceDetail: {
    deviceId: string;
    displayName: string | null;
    operatingSystem: string;
    browser: string;
    isCompliant: boolean | null;
    isManaged: boolean | null;
    trustType: string | null;
  };
  location: {
    city: string;
    state: string;
    countryOrRegion: string;
    geoCoordinates: { altitude: number | null; latitude: number; longitude: number };
  };
  appliedConditionalAccessPolicies: AppliedPolicy[];
}

const DEVICE_SALT = 0x0de71ce;

export function formatIp(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/**
 * One event as Graph returns it. `riskVisible` is false without an Entra ID P2 licence: the risk
 * properties then read `hidden`.
 */
export function renderSignIn(s: SignInStore, actors: readonly Actor[], i: number, riskVisible: boolean): SignIn {
  const actorIdx = s.actor[i] as number;
  const actor = actors[actorIdx] as Actor;
  const app = APPS[s.app[i] as number]!;
  const res = RESOURCES[s.resource[i] as number]!;
  const st = STATUSES[s.status[i] as number]!;
  const dev = DEVICES[s.device[i] as number]!;
  const loc = LOCATIONS[s.location[i] as number]!;
  const risk = riskVisible ? RISKS[s.risk[i] as number]! : HIDDEN_RISK;
  const ca = s.ca[i] as number;
  const deviceId = dev.managed ? hashGuid(DEVICE_SALT, actorIdx, s.device[i] as number) : '';
  const ev: SignIn = {
    id: s.idOf(i),
    createdDateTime: formatUs(s.createdUs[i] as number),
    userDisplayName: actor.displayName,
    userPrincipalName: actor.userPrincipalName,
    userId: actor.userId,
    appId: app.id,
    appDisplayName: app.displayName,
    ipAddress: formatIp(s.ip[i] as number),
    clientAppUsed: CLIENT_APPS[s.client[i] as number] ?? 'Browser',
    correlationId: s.correlationIdOf(i),
    conditionalAccessStatus: CA_STATUSES[ca] ?? 'notApplied',
    isInteractive: true,
    riskDetail: risk.riskDetail,
    riskLevelAggregated: risk.riskLevelAggregated,
    riskLevelDuringSignIn: risk.riskLevelDuringSignIn,
    riskState: risk.riskState,
    riskEventTypes: [...risk.riskEventTypes],
    riskEventTypes_v2: [...risk.riskEventTypes],
    resourceDisplayName: res.displayName,
    resourceId: res.id,
    status: { errorCode: st.errorCode, failureReason: st.failureReason, additionalDetails: st.additionalDetails },
    deviceDetail: {
      deviceId,
      displayName: dev.managed ? `${dev.operatingSystem.startsWith('Windows') ? 'DESKTOP' : 'DEVICE'}-${deviceId.slice(0, 7).toUpperCase()}` : null,
      operatingSystem: dev.operatingSystem,
      browser: dev.browser,
      isCompliant: dev.managed ? true : null,
      isManaged: dev.managed ? true : null,
      trustType: dev.trustType,
    },
    location: {
      city: loc.city,
      state: loc.state,
      countryOrRegion: loc.countryOrRegion,
      geoCoordinates: { altitude: null, latitude: loc.latitude, longitude: loc.longitude },
    },
    appliedConditionalAccessPolicies: appliedPolicies(ca),
  };
  const extra = s.overrides.get(i);
  return extra ? ({ ...ev, ...extra } as SignIn) : ev;
}
