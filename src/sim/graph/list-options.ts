/**
 * Page sizes of the plain (non-delta) listings: GET /users, /groups, /groups/{id}/members|owners,
 * /administrativeUnits[/{id}/members], /directoryRoles[/{id}/members]. Every size is an option with
 * Graph's documented value as default, so tests shrink them instead of building huge tenants.
 */
export interface ListingOptions {
  /** Page size when the request has no $top: 100 ("default and maximum page sizes are 100 and 999", https://learn.microsoft.com/graph/api/user-list). */
  defaultTop?: number;
  /** Largest page: 999. A larger $top is clamped to it (graph-facts 2: ignored, clamped or rejected depending on the API). */
  maxTop?: number;
  /**
   * The server chooses each page's size, at most the page size asked for
   * (https://learn.microsoft.com/graph/paging: "the server might return fewer results"): drawn
   * uniformly between these fractions of it, default [0.6, 1].
   */
  pageFill?: [number, number];
  /** Probability that a page holds exactly the page size asked for, default 0.25. */
  fullPageRate?: number;
  /**
   * Members of a directory role come on one page of at most this many, with no nextLink: "It
   * returns a default of 1,000 objects and doesn't support pagination using $top"
   * (https://learn.microsoft.com/graph/api/directoryrole-list-members). Default 1,000.
   */
  roleMembersCap?: number;
}

export const LISTING_DEFAULTS: Required<ListingOptions> = {
  defaultTop: 100,
  maxTop: 999,
  pageFill: [0.6, 1],
  fullPageRate: 0.25,
  roleMembersCap: 1000,
};

export function listingOptions(o: ListingOptions | undefined): Required<ListingOptions> {
  return { ...LISTING_DEFAULTS, ...(o ?? {}) };
}
