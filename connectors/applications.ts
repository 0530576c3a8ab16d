import type { Connector } from '../src/pull/connector.js';
import { stripCredentials } from './lib/credentials.js';
import { ownProperties, removedReason } from './lib/delta-annotations.js';
import { ownersStep } from './lib/owners-step.js';

const SELECT = [
  'id', 'appId', 'displayName', 'signInAudience', 'publisherDomain', 'createdDateTime', 'verifiedPublisher', 'identifierUris',
  'requiredResourceAccess', 'appRoles', 'api', 'passwordCredentials', 'keyCredentials',
];

/**
 * App registrations: sign-in audience, the permissions they ask for (requiredResourceAccess), the
 * roles and scopes they define, credential expiry, then their owners.
 * https://learn.microsoft.com/graph/api/application-delta
 */
export const applications: Connector = {
  name: 'applications',
  description: 'App registrations with sign-in audience, requested permissions, credential expiry and owners',
  permission: 'Application.Read.All',
  alsoAccepted: ['Application.ReadWrite.All', 'Application.ReadWrite.OwnedBy', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  changeTracking: 'delta',
  source: '/applications/delta, /applications/{id}/owners',
  steps: [
    {
      kind: 'delta',
      name: 'applications',
      entityTypes: ['application'],
      relationScopes: [],
      url: () => `/applications/delta?$select=${SELECT.join(',')}`,
      map: (obj) => {
        const id = obj.id as string;
        const reason = removedReason(obj);
        if (reason !== undefined) return [{ entityType: 'application', id, removed: reason, links: [] }];
        return [{ entityType: 'application', id, data: stripCredentials(ownProperties(obj)), links: [] }];
      },
    },
    ownersStep('application', 'applications'),
  ],
};
