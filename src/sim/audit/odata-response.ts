import type { SimResponse } from '../sim-http.js';
import { graphError, type ResponseContext } from '../graph/graph-error.js';

/** The content type Graph sends with JSON collections (as graph-sim.ts answers). */
const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function okJson(body: string): SimResponse {
  return { status: 200, headers: { 'content-type': ODATA_JSON }, body };
}

/** A collection page: context, then nextLink (when there is one), then value, as in the docs' examples. */
export function collectionPage(context: string, items: readonly string[], nextLink: string | undefined): SimResponse {
  const next = nextLink === undefined ? '' : `,"@odata.nextLink":${JSON.stringify(nextLink)}`;
  return okJson(`{"@odata.context":${JSON.stringify(context)}${next},"value":[${items.join(',')}]}`);
}

export function insufficientPrivileges(ctx: ResponseContext): SimResponse {
  return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', ctx);
}

/**
 * Reading sign-in logs and signInActivity needs an Entra ID P1 or P2 licence; otherwise Graph answers
 * this 403 (graph-facts 5.1; microsoftgraph/microsoft-graph-docs-contrib issues #7276, #3033;
 * https://learn.microsoft.com/entra/identity/monitoring-health/howto-configure-prerequisites-for-reporting-api#common-errors).
 */
export function nonPremium(ctx: ResponseContext): SimResponse {
  return graphError(403, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', "Neither tenant is B2C or tenant doesn't have premium license", ctx);
}
