import { ManagedIdentityCredential, type AccessToken, type TokenCredential } from '@azure/identity';
import { ManagedIdentityApplication } from '@azure/msal-node';

/**
 * Managed identity tokens live in a cache msal-node shares across the whole process, so a new
 * @azure/identity credential hands back the same token after Graph has refused it. A credential made
 * to replace a refused token therefore asks msal-node itself once with forceRefresh, which goes to
 * the identity endpoint and refreshes that shared cache; after that the @azure/identity credential
 * (IMDS probing, AKS token exchange and the rest) serves as usual.
 * https://learn.microsoft.com/entra/msal/javascript/node/managed-identity
 */
export function createManagedIdentityCredential(clientId: string | undefined, forceFirstRefresh: boolean): TokenCredential {
  const credential = clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
  let force = forceFirstRefresh;
  return {
    async getToken(scopes, options): Promise<AccessToken | null> {
      if (!force) return credential.getToken(scopes, options);
      force = false;
      const scope = Array.isArray(scopes) ? scopes[0]! : (scopes as string);
      const app = new ManagedIdentityApplication(clientId ? { managedIdentityIdParams: { userAssignedClientId: clientId } } : {});
      const result = await app.acquireToken({ resource: scope.replace(/\/\.default$/, ''), forceRefresh: true });
      return { token: result.accessToken, expiresOnTimestamp: result.expiresOn!.getTime(), tokenType: 'Bearer' };
    },
  };
}
