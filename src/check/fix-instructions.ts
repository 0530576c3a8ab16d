import type { AuthMethod, CloudName } from '../config/config.js';
import { MICROSOFT_GRAPH_APP_ID } from './graph-permission-ids.js';

/** A Microsoft Graph application permission to grant, and why. */
export interface PermissionToGrant {
  permission: string;
  /** Its id (graph-permission-ids.ts); undefined only for a name the table does not know. */
  id?: string;
  /** Optional: it widens what a collection reads, the collection works without it. */
  optional: boolean;
  /** The collections that need it. */
  for: string[];
}

export interface FixInstructions {
  /** An app registration (secret, certificate, workload identity) or a managed identity (no app registration). */
  target: 'app-registration' | 'managed-identity';
  grant: PermissionToGrant[];
  /** Where to click, one step a line. */
  portal: string[];
  /** Shell lines (Azure CLI) that do the same; `#` starts a comment. */
  commands: string[];
  /** Permissions to take away again (write or unneeded ones), and how. */
  remove: string[];
  notes: string[];
}

export interface FixTarget {
  auth: AuthMethod;
  cloud: CloudName;
  /** The Graph root the commands call (the national cloud's, or GRAPH_ENDPOINT). */
  graphEndpoint: string;
  /** The application (client) id. */
  appId?: string;
  /** The object id of the app's or managed identity's service principal (the token's `oid`). */
  servicePrincipalId?: string;
}

/** Azure CLI's name for the cloud (`az cloud set --name`); the global cloud is the default. */
const AZ_CLOUD: Record<CloudName, string | undefined> = { global: undefined, usgov: 'AzureUSGovernment', usgovdod: 'AzureUSGovernment', china: 'AzureChinaCloud' };
/** Where administrators sign in to manage app registrations in each cloud. */
const PORTAL: Record<CloudName, string> = {
  global: 'https://entra.microsoft.com', usgov: 'https://portal.azure.us', usgovdod: 'https://portal.azure.us', china: 'https://portal.azure.cn',
};

const CONSENT_DELAY =
  'Permissions reach tokens issued after the consent: a token already issued keeps its roles until it expires (about an hour), and a new consent can take a few minutes to show in new tokens. Run check again then.';

/**
 * How to grant what is missing (and take away what is not needed): the portal path and Azure CLI
 * commands for an app registration; for a managed identity, which has no app registration, the app
 * role assignment on Microsoft Graph's service principal
 * (https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignments).
 */
export function fixInstructions(target: FixTarget, grant: PermissionToGrant[], o: { reconsent?: boolean; remove?: string[] } = {}): FixInstructions | null {
  const remove = o.remove ?? [];
  if (grant.length === 0 && !o.reconsent && remove.length === 0) return null;
  return target.auth === 'managed-identity' ? managedIdentityFix(target, grant, remove) : appRegistrationFix(target, grant, remove, o.reconsent === true);
}

function cloudLine(target: FixTarget): string[] {
  const name = AZ_CLOUD[target.cloud];
  return name ? [`az cloud set --name ${name}   # this tenant is in the ${target.cloud} cloud`] : [];
}

function appRegistrationFix(target: FixTarget, grant: PermissionToGrant[], remove: string[], reconsent: boolean): FixInstructions {
  const app = target.appId ?? '<application (client) id>';
  const portal = grant.length > 0 || reconsent
    ? [
      `Sign in to ${PORTAL[target.cloud]} as a Privileged Role Administrator or Global Administrator.`,
      `App registrations > All applications > ${app} > API permissions > Add a permission > Microsoft Graph > Application permissions > ${grant.map((g) => g.permission).join(', ') || '(nothing to add)'} > Add permissions.`,
      'Then: Grant admin consent for the tenant (the same page), and confirm. Each permission must show "Granted".',
    ]
    : [];
  const commands = grant.length > 0 || reconsent
    ? [
      ...cloudLine(target),
      ...grant.map((g) => `az ad app permission add --id ${app} --api ${MICROSOFT_GRAPH_APP_ID} --api-permissions ${g.id ?? `<id of ${g.permission}>`}=Role   # ${g.permission}${g.optional ? ' (optional)' : ''}`),
      `az ad app permission admin-consent --id ${app}`,
    ]
    : [];
  const removeSteps = remove.length > 0
    ? [`${remove.join(', ')}: App registrations > ${app} > API permissions > "..." next to each > Revoke admin consent, then Remove permission.`]
    : [];
  const notes = [CONSENT_DELAY];
  if (reconsent) notes.unshift('The token already holds a permission Graph refused: grant admin consent again (the command above does), and check Conditional Access policies for workload identities.');
  return { target: 'app-registration', grant, portal, commands, remove: removeSteps, notes };
}

function managedIdentityFix(target: FixTarget, grant: PermissionToGrant[], remove: string[]): FixInstructions {
  const sp = target.servicePrincipalId ?? '<identity service principal id>';
  const graph = target.graphEndpoint.replace(/\/+$/, '');
  const assignments = `${graph}/v1.0/servicePrincipals/${sp}/appRoleAssignments`;
  const commands = grant.length > 0
    ? [
      ...cloudLine(target),
      `GRAPH_SP_ID=$(az ad sp show --id ${MICROSOFT_GRAPH_APP_ID} --query id -o tsv)   # Microsoft Graph's service principal in this tenant`,
      ...grant.map((g) =>
        `az rest --method POST --uri ${assignments} --headers Content-Type=application/json --body "{\\"principalId\\":\\"${sp}\\",\\"resourceId\\":\\"$GRAPH_SP_ID\\",\\"appRoleId\\":\\"${g.id ?? `<id of ${g.permission}>`}\\"}"   # ${g.permission}${g.optional ? ' (optional)' : ''}`),
    ]
    : [];
  const portal = grant.length > 0
    ? ['A managed identity has no app registration: the portal cannot grant it Microsoft Graph application permissions. Use the commands below (Azure CLI, or the same POST from Graph Explorer or PowerShell) as a Privileged Role Administrator or Global Administrator.']
    : [];
  const removeSteps = remove.length > 0
    ? [
      `${remove.join(', ')}: list the identity's assignments with az rest --method GET --uri ${assignments}, then for each one to remove: az rest --method DELETE --uri ${assignments}/<assignment id>`,
    ]
    : [];
  return {
    target: 'managed-identity',
    grant,
    portal,
    commands,
    remove: removeSteps,
    notes: [
      `The identity's service principal id is ${target.servicePrincipalId ? `${sp} (the token's oid claim)` : 'its object (principal) id'}; it can also be read with az ad sp list --filter "appId eq '${target.appId ?? '<client id>'}'" --query [].id -o tsv, or on the Azure resource (Identity > Object (principal) ID).`,
      `Microsoft Graph's service principal id differs per tenant: az ad sp show --id ${MICROSOFT_GRAPH_APP_ID} --query id -o tsv (or GET ${graph}/v1.0/servicePrincipals(appId='${MICROSOFT_GRAPH_APP_ID}')?$select=id).`,
      'A managed identity\'s tokens are cached by its host: a new assignment can take hours to reach them (restart the app to get a fresh token sooner). Run check again then.',
    ],
  };
}
