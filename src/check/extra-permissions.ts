import type { Connector } from '../pull/connector.js';
import { declaredPermissions } from './requirements.js';

export interface ExtraPermissions {
  /** Held permissions that no collection of this tool names at all. */
  notNeeded: string[];
  /**
   * Held permissions that let the app change the tenant (`*.ReadWrite.*`, `RoleManagement.ReadWrite.Directory`,
   * `Mail.Send`, ...), whether or not a collection accepts them: this tool only reads, and a read
   * permission always covers what it needs.
   */
  write: string[];
}

/**
 * Microsoft Graph permission names are `resource.operation.constraint`
 * (https://learn.microsoft.com/graph/permissions-overview#permissions-naming-pattern): any operation
 * other than reading makes a write permission. The words below are the operations Microsoft Graph uses.
 */
const WRITE_OPERATION = /Write|Manage|FullControl|Send|Create|Delete|Invite|Assign|Migrate|Initiate|Join|PrivilegedOperations|EnableDisable|Update|Submit|Export|AccessAs|^Sign$/;

export function isWritePermission(name: string): boolean {
  // The operation is every part after the resource (`User.ReadWrite.All`, `Mail.Send`, `Group.Create`).
  return name.split('.').slice(1).some((part) => WRITE_OPERATION.test(part));
}

/** The held permissions `check` warns about, judged against every collection of this build. */
export function extraPermissions(held: Iterable<string>, all: readonly Connector[]): ExtraPermissions {
  const named = declaredPermissions(all);
  const roles = [...held].sort();
  return { notNeeded: roles.filter((r) => !named.has(r)), write: roles.filter(isWritePermission) };
}
