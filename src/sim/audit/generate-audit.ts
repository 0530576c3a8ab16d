import type { Rng } from '../tenant/prng.js';
import type { AuditData, AuditGenOptions } from './audit-data.js';
import { drawLagMs } from './draw-sign-in.js';
import { US_PER_MS, US_PER_S } from './graph-time.js';
import { emptyActivity, recordInteractive, recordNonInteractive } from './sign-in-activity.js';

const DAY_MS = 86_400_000;

/**
 * The initial sign-in log: `signIns` interactive events of the tenant's live users spread over the
 * last `days` before `now`, each visible after a lag (draw-sign-in.ts), plus each user's
 * signInActivity: consistent with the events (the latest interactive event), with non-interactive
 * sign-ins the v1.0 log does not list, some older interactive ones from before the log's window, and
 * some users who never signed in.
 *
 * Linear and allocation-light: 300,000 events take well under two seconds.
 */
export function generateAudit(a: AuditData, o: AuditGenOptions, now: number, rng: Rng): void {
  const days = o.days ?? 30;
  const spanMs = days * DAY_MS;
  const neverRatio = o.neverSignedInRatio ?? 0.08;
  const nonIntRatio = o.nonInteractiveRatio ?? 0.8;
  const active: string[] = [];
  for (const u of a.tenant.users.values()) {
    if (u.state !== 'live') continue;
    const disabled = u.props.accountEnabled === false;
    if (rng.chance(disabled ? Math.max(0.5, neverRatio) : neverRatio)) continue;
    active.push(u.id);
    const rec = emptyActivity();
    if (rng.chance(nonIntRatio)) {
      const us = Math.floor((now - rng.next() * spanMs) / 1000) * US_PER_S;
      recordNonInteractive(rec, us, rng.guid(), !disabled && rng.chance(0.95));
    }
    if (rng.chance(0.15)) {
      // An interactive sign-in from before the log's window (signInActivity outlives the log).
      const us = Math.floor((now - spanMs - rng.next() * 300 * DAY_MS) / 1000) * US_PER_S;
      recordInteractive(rec, us, rng.guid(), !disabled && rng.chance(0.9));
    }
    a.activity.set(u.id, rec);
  }
  if (active.length === 0) return;
  const n = Math.max(0, Math.floor(o.signIns ?? Math.min(3 * active.length, 300_000)));
  a.store.reserve(n);
  for (let k = 0; k < n; k++) {
    // A few users sign in far more often than most.
    const r = rng.next();
    const userId = active[Math.floor(active.length * r * r)] as string;
    const ms = now - rng.next() * spanMs;
    const createdUs = rng.chance(0.5) ? Math.floor(ms / 1000) * US_PER_S : Math.floor(ms) * US_PER_MS + rng.int(0, 999);
    const visibleMs = Math.ceil(createdUs / US_PER_MS) + drawLagMs(rng, a.slowArrivalRate);
    a.append(a.draw(rng, userId, createdUs, visibleMs));
  }
  a.store.sorted();
}
