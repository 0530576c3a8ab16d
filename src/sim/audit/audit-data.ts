import type { Tenant } from '../tenant/tenant.js';

/** Options of the simulated sign-in log (see generate-audit.ts). */
export interface AuditGenOptions {
  enabled?: boolean;
}

/**
 * The simulated sign-in log and users' signInActivity. (Scaffold: filled in by the audit simulation.)
 */
export class AuditData {
  constructor(readonly tenant: Tenant) {}

  randomChanges(_fraction: number, _seed: number): Record<string, number> {
    return {};
  }
}

export function populateAudit(_t: Tenant, _o: AuditGenOptions | undefined, _seed: number): void {}
