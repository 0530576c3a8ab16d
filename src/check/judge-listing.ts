import type { ProbeResult } from './run-probe.js';

export interface ListingJudgement {
  /** True when a full round will not read by listing, or the probe could not tell. */
  warn: boolean;
  messages: string[];
}

const said = (p: ProbeResult) => [p.httpStatus, p.code].filter((x) => x !== undefined).join(' ') + (p.requestId ? `, request-id ${p.requestId}` : '');

/**
 * What the listing probes (probe-listing.ts) mean for a pull. A refused listing (403, or 400 to its
 * query) does not stop the pull: its full rounds read the delta chain instead, complete but slower
 * on a large tenant, so it is a warning. A throttled or failed listing probe says nothing either way,
 * and is a warning too.
 */
export function judgeListing(probes: readonly ProbeResult[], subCollections: { parentType: string; names: string[] }): ListingJudgement {
  const messages: string[] = [];
  for (const p of probes) {
    const request = `GET ${p.request}`;
    if (p.status === 'ok') continue;
    if (p.status === 'forbidden' || p.status === 'premium' || (p.status === 'error' && p.httpStatus === 400)) {
      messages.push(`full rounds cannot read by listing: Graph refused ${request} (${said(p)}); they read the delta chain instead, with the same result but slower on a large tenant`);
    } else if (p.status === 'throttled') {
      messages.push(`the listing probe ${request} was still throttled (${said(p)}): whether full rounds can read by listing is not known; run check again later`);
    } else {
      messages.push(`the listing probe ${request} failed: ${p.message ?? said(p)}`);
    }
  }
  const warn = messages.length > 0;
  const objects = probes[0];
  const { parentType, names } = subCollections;
  if (objects?.status === 'ok' && probes.length === 1 && names.length > 0) {
    messages.push(`the listing returned no ${parentType}: its ${names.join(' and ')} were not probed`);
  }
  return { warn, messages };
}
