import type { Connector } from '../src/pull/connector.js';

/**
 * Each user's last interactive, non-interactive and successful sign-in, stored on the user row as
 * data.signInActivity. Not available through users/delta (graph-facts 1.4), so listed whole each
 * run; needs Entra ID P1/P2 (else skipped). https://learn.microsoft.com/graph/api/resources/signinactivity
 */
export const signInActivity: Connector = {
  name: 'signInActivity',
  description: 'Last interactive, non-interactive and successful sign-in of each user (Entra ID P1/P2), on the user row',
  permission: 'AuditLog.Read.All',
  alsoAccepted: [],
  // It lists users (graph-facts 5.2: AuditLog.Read.All plus User.Read.All).
  requiresAlso: [{ permission: 'User.Read.All', alsoAccepted: ['User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'] }],
  changeTracking: 'list',
  source: '/users?$select=id,signInActivity',
  dependsOn: ['users'],
  steps: [{
    kind: 'enrich',
    name: 'signInActivity',
    entityType: 'user',
    key: 'signInActivity',
    entityTypes: [],
    relationScopes: [],
    // 999 is the page size's maximum with signInActivity (graph-facts 5.2).
    url: () => '/users?$select=id,signInActivity&$top=999',
    value: (obj) => (typeof obj.id === 'string' ? { id: obj.id, value: obj.signInActivity ?? null } : undefined),
  }],
};
