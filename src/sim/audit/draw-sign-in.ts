import type { Rng } from '../tenant/prng.js';
import {
  APPS, CA_FAILURE, CA_NOT_APPLIED, CA_SUCCESS, CLIENT_BROWSER, CLIENT_EAS, CLIENT_IMAP, CLIENT_MODERN, DEVICES, LOCATIONS,
  RANDOM_FAILURES, STATUS_BAD_PASSWORD, STATUS_CA_BLOCKED, STATUS_DISABLED, STATUS_OK,
} from './sign-in-catalog.js';
import type { SignInFields } from './sign-in-store.js';

const APP_CUMULATIVE: number[] = [];
{
  let sum = 0;
  for (const a of APPS) APP_CUMULATIVE.push((sum += a.weight));
}
const BROWSER_DEVICES = DEVICES.map((d, i) => (d.browserProfile ? i : -1)).filter((i) => i >= 0);
const CLIENT_DEVICES = DEVICES.map((d, i) => (d.browserProfile ? -1 : i)).filter((i) => i >= 0);

export interface DrawOptions {
  /** Share of ordinary attempts that fail (default 0.07). */
  failureRate: number;
}

/**
 * Draws the catalog choices of one interactive sign-in of a user. `home` is a stable number for
 * the user (their usual city and address); `disabled` users fail with 50057.
 */
export function drawSignIn(rng: Rng, o: DrawOptions, who: { actor: number; home: number; disabled: boolean }, createdUs: number, visibleMs: number): SignInFields {
  const pickApp = rng.next() * (APP_CUMULATIVE[APP_CUMULATIVE.length - 1] as number);
  let app = 0;
  while ((APP_CUMULATIVE[app] as number) <= pickApp) app++;
  const a = APPS[app]!;
  const resource = rng.chance(0.8) ? (a.resources[0] as number) : rng.pick(a.resources);
  let client = CLIENT_BROWSER;
  if (!a.browser) {
    const r = rng.next();
    client = r < 0.93 ? CLIENT_MODERN : r < 0.98 ? CLIENT_EAS : CLIENT_IMAP;
  }
  const device = client === CLIENT_BROWSER ? rng.pick(BROWSER_DEVICES) : rng.pick(CLIENT_DEVICES);
  let status = STATUS_OK;
  if (who.disabled) status = STATUS_DISABLED;
  else if (client === CLIENT_IMAP) status = rng.chance(0.6) ? STATUS_CA_BLOCKED : rng.chance(0.5) ? STATUS_BAD_PASSWORD : STATUS_OK;
  else if (rng.chance(o.failureRate)) status = rng.pick(RANDOM_FAILURES);
  const ca = status === STATUS_CA_BLOCKED ? CA_FAILURE : status === STATUS_OK && rng.chance(0.6) ? CA_SUCCESS : CA_NOT_APPLIED;
  const travelling = rng.chance(0.15);
  const location = travelling ? rng.int(0, LOCATIONS.length - 1) : who.home % LOCATIONS.length;
  const net = LOCATIONS[location]!.net;
  const host = travelling ? rng.int(0, 65535) : (who.home >>> 8) & 0xffff;
  const ip = ((net[0] << 24) | (net[1] << 16) | host) >>> 0;
  const r = rng.next();
  const risk = r < 0.95 ? 0 : r < 0.98 ? 1 : r < 0.995 ? 2 : 3;
  return { createdUs, visibleMs, actor: who.actor, app, resource, ip, client, status, ca, device, location, risk };
}

/**
 * How long after its createdDateTime an event becomes visible. Sign-ins arrive late: usually within
 * minutes ("wait for 5 minutes to ensure that you can find the event in the sign-in log",
 * https://learn.microsoft.com/entra/identity/monitoring-health/quickstart-analyze-sign-in), sometimes
 * hours ("Typically, sign-ins show up in the related sign-in report within 6 hours",
 * https://learn.microsoft.com/entra/identity/monitoring-health/howto-manage-inactive-user-accounts;
 * MFA events "might take up to two hours to fully aggregate", reports FAQ).
 * `slowRate` is the share slower than 5 minutes.
 */
export function drawLagMs(rng: Rng, slowRate: number): number {
  const r = rng.next();
  if (r >= slowRate) return 10_000 + Math.floor(rng.next() * 290_000);
  if (r < slowRate * 0.2) return 2 * 3_600_000 + Math.floor(rng.next() * 4 * 3_600_000);
  return 5 * 60_000 + Math.floor(rng.next() * 115 * 60_000);
}

/** A stable 32-bit number for a user id (its home city and address). */
export function homeOf(userId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) h = Math.imul(h ^ userId.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
