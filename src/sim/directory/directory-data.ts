import type { Tenant } from '../tenant/tenant.js';

/** Options of the simulated apps-and-roles directory (see generate-directory.ts). */
export interface DirectoryGenOptions {
  /** Placeholder until the generator lands. */
  enabled?: boolean;
}

/**
 * The simulated directory beyond users and groups: service principals, applications, roles,
 * administrative units, app role assignments, permission grants, subscribed SKUs.
 * (Scaffold: filled in by the directory simulation.)
 */
export class DirectoryData {
  constructor(readonly tenant: Tenant) {}

  /** Deterministic random mutations; draws only from its own generator. */
  randomChanges(_fraction: number, _seed: number): Record<string, number> {
    return {};
  }
}

export function populateDirectory(_t: Tenant, _o: DirectoryGenOptions | undefined, _seed: number): void {}
