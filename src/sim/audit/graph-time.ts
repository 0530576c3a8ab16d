/**
 * Times of the sign-in log. Events are kept in whole microseconds since the epoch (a Float64 holds
 * them exactly for centuries); Graph writes createdDateTime with up to 7 fractional digits
 * ("2020-03-13T19:15:41.6195833Z" in https://learn.microsoft.com/graph/api/signin-list) or with
 * whole seconds, always in UTC with 'Z'.
 */

export const US_PER_MS = 1000;
export const US_PER_S = 1_000_000;

/** `2024-01-02T03:04:05Z` for a whole second, else `2024-01-02T03:04:05.1234560Z` (7 digits). */
export function formatUs(us: number): string {
  const sec = Math.floor(us / US_PER_S);
  const frac = us - sec * US_PER_S;
  const base = new Date(sec * 1000).toISOString().slice(0, 19);
  return frac === 0 ? `${base}Z` : `${base}.${String(frac).padStart(6, '0')}0Z`;
}

/** Whole seconds only, as signInActivity shows them (user-list example 11). */
export function formatSeconds(us: number): string {
  return `${new Date(Math.floor(us / US_PER_S) * 1000).toISOString().slice(0, 19)}Z`;
}

/** A parsed DateTimeOffset literal: whole seconds since the epoch plus 100 ns ticks (0..9,999,999). */
export interface Instant {
  sec: number;
  ticks: number;
}

const LITERAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Parses an OData DateTimeOffset literal as `$filter` takes it (unquoted; seconds and fraction
 * optional; 'Z' or an offset, whose '+' a client must send as %2B). Undefined when malformed.
 */
export function parseInstant(text: string): Instant | undefined {
  const m = LITERAL.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, f, zone] = m as unknown as string[];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(ms).getUTCDate() !== day) return undefined;
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    offsetMin = sign * (oh * 60 + om);
  }
  const ticks = f === undefined ? 0 : Number(f.slice(0, 7).padEnd(7, '0'));
  return { sec: (ms - offsetMin * 60_000) / 1000, ticks };
}

/** The smallest event time (µs) that is >= the instant. */
export function ceilUs(t: Instant): number {
  return t.sec * US_PER_S + Math.ceil(t.ticks / 10);
}

/** The largest event time (µs) that is <= the instant. */
export function floorUs(t: Instant): number {
  return t.sec * US_PER_S + Math.floor(t.ticks / 10);
}
