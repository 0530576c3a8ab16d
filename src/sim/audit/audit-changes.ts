import type { Rng } from '../tenant/prng.js';
import type { AuditData } from './audit-data.js';
import { drawLagMs } from './draw-sign-in.js';
import { US_PER_MS, US_PER_S } from './graph-time.js';
import { emptyActivity, recordNonInteractive } from './sign-in-activity.js';

/**
 * Activity since the last pull, at time `at`: about fraction × (events in the log) new sign-ins
 * (at least one), most created in the last 10 minutes with the usual lag, about one in ten created
 * 30 minutes to 5 hours earlier and still arriving (visible up to 15 minutes after `at`), which a
 * client that only asks for "newer than my newest" misses; plus non-interactive sign-ins of about
 * fraction × (live users) users, which change only their signInActivity.
 */
export function randomAuditChanges(a: AuditData, fraction: number, rng: Rng, at: number): Record<string, number> {
  const live: string[] = [];
  for (const u of a.tenant.users.values()) if (u.state === 'live') live.push(u.id);
  const counts: Record<string, number> = {};
  if (live.length === 0) return counts;
  const count = (k: string): void => {
    counts[k] = (counts[k] ?? 0) + 1;
  };
  const nEvents = Math.max(1, Math.round(fraction * a.store.size));
  for (let k = 0; k < nEvents; k++) {
    const userId = live[rng.int(0, live.length - 1)] as string;
    if (rng.chance(0.1)) {
      const createdMs = at - 30 * 60_000 - Math.floor(rng.next() * 4.5 * 3_600_000);
      a.append(a.draw(rng, userId, createdMs * US_PER_MS, at + 1_000 + Math.floor(rng.next() * 15 * 60_000)));
      count('signInLate');
    } else {
      const createdMs = at - Math.floor(rng.next() * 10 * 60_000);
      const createdUs = rng.chance(0.5) ? Math.floor(createdMs / 1000) * US_PER_S : createdMs * US_PER_MS + rng.int(0, 999);
      a.append(a.draw(rng, userId, createdUs, Math.ceil(createdUs / US_PER_MS) + drawLagMs(rng, a.slowArrivalRate)));
      count('signIn');
    }
  }
  const nActivity = Math.max(1, Math.round(fraction * live.length));
  for (let k = 0; k < nActivity; k++) {
    const userId = live[rng.int(0, live.length - 1)] as string;
    let rec = a.activity.get(userId);
    if (!rec) a.activity.set(userId, (rec = emptyActivity()));
    const us = Math.floor((at - rng.next() * 3_600_000) / 1000) * US_PER_S;
    recordNonInteractive(rec, us, rng.guid(), rng.chance(0.95));
    count('nonInteractiveSignIn');
  }
  return counts;
}
