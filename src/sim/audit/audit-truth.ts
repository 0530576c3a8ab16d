import type { AuditData } from './audit-data.js';
import type { SignInSummary } from './audit-types.js';
import { formatUs, US_PER_MS } from './graph-time.js';
import type { Actor } from './render-sign-in.js';
import { APPS, STATUSES } from './sign-in-catalog.js';

/** Whether a row is listed at `now`: visible already and still within retention. */
export function isListed(a: AuditData, row: number, now: number): boolean {
  const s = a.store;
  return (s.visibleMs[row] as number) <= now && (s.createdUs[row] as number) >= (now - a.retentionMs()) * US_PER_MS;
}

/** What a complete pull at `now` sees of each listed event created within [fromUs, toUs], any order. */
export function listedSummaries(a: AuditData, now: number, fromUs = -Infinity, toUs = Infinity): SignInSummary[] {
  const out: SignInSummary[] = [];
  const s = a.store;
  for (let i = 0; i < s.size; i++) {
    const c = s.createdUs[i] as number;
    if (c < fromUs || c > toUs || !isListed(a, i, now)) continue;
    const actor = a.actors[s.actor[i] as number] as Actor;
    out.push({
      id: s.idOf(i), createdDateTime: formatUs(s.createdUs[i] as number), userId: actor.userId, userPrincipalName: actor.userPrincipalName,
      appId: APPS[s.app[i] as number]!.id, errorCode: STATUSES[s.status[i] as number]!.errorCode,
    });
  }
  return out;
}

export interface AuditStats {
  signIns: number;
  /** Listed at `now`. */
  listed: number;
  /** Created but not visible yet at `now`. */
  notYetVisible: number;
  usersWithActivity: number;
  liveUsersNeverSignedIn: number;
  premium: boolean;
}

export function auditStats(a: AuditData, now: number): AuditStats {
  let listed = 0;
  let pending = 0;
  const s = a.store;
  for (let i = 0; i < s.size; i++) {
    if ((s.visibleMs[i] as number) > now) pending++;
    else if (isListed(a, i, now)) listed++;
  }
  let never = 0;
  for (const u of a.tenant.users.values()) if (u.state === 'live' && !a.activity.has(u.id)) never++;
  return { signIns: s.size, listed, notYetVisible: pending, usersWithActivity: a.activity.size, liveUsersNeverSignedIn: never, premium: a.premium };
}
