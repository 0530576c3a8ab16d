import type { ListingOptions } from '../graph/list-options.js';

/**
 * Page sizes, token lifetimes and bounds of the simulated apps-and-roles endpoints. Every size is
 * server-chosen per page, drawn uniformly in [min, max] from the simulation's seeded generator.
 * Tests shrink them (through DirectoryData.resourceOptions, read when the Graph simulation is created).
 */
export interface DirectoryResourceOptions {
  /** Units per delta page (1 per object + 1 per members@delta entry), default [100, 400]. */
  deltaPageUnits?: [number, number];
  /** Items per page of roleDefinitions, roleAssignments and oauth2PermissionGrants, default [50, 200]. */
  listPageSize?: [number, number];
  /** Items per page of /owners, default [20, 100]. */
  ownersPageSize?: [number, number];
  /** Server page size of appRoleAssignedTo; a page holds min($top or 100, this), default [200, 999]. */
  assignedToPageSize?: [number, number];
  /** Shuffle the order of a delta round (default true). */
  shuffle?: boolean;
  /** Lifetime of a nextLink, default 10 minutes. */
  skipTokenTtlMs?: number;
  /** Lifetime of a deltaLink, default 7 days (graph-facts 1.4). */
  deltaTokenTtlMs?: number;
  /** Bounds of the server-side state: tokens and retained rounds or listings (defaults 100,000 / 100,000 / 64). */
  maxSkipTokens?: number;
  maxDeltaTokens?: number;
  maxRounds?: number;
  /** Page sizes of the plain listings of units, roles and their members (LISTING_DEFAULTS: $top 100 / max 999, role members 1,000). */
  listing?: ListingOptions;
}

export const DIRECTORY_RESOURCE_DEFAULTS: Required<DirectoryResourceOptions> = {
  deltaPageUnits: [100, 400],
  listPageSize: [50, 200],
  ownersPageSize: [20, 100],
  assignedToPageSize: [200, 999],
  shuffle: true,
  skipTokenTtlMs: 10 * 60_000,
  deltaTokenTtlMs: 7 * 24 * 3600_000,
  maxSkipTokens: 100_000,
  maxDeltaTokens: 100_000,
  maxRounds: 64,
  listing: {},
};
