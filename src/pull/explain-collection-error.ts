import { GraphError } from '../errors/index.js';
import type { Connector } from './connector.js';

/** A 403 names the permission this collection needs, which only the connector knows. */
export function explainForCollection(error: unknown, connector: Connector): unknown {
  if (!(error instanceof GraphError) || error.status !== 403) return error;
  const others = connector.alsoAccepted.length > 0 ? ` (or one of ${connector.alsoAccepted.join(', ')})` : '';
  return new GraphError(error.code, `${connector.name}: ${error.message}`, {
    status: error.status,
    graphCode: error.graphCode,
    request: error.request,
    requestId: error.requestId,
    cause: error,
    suggestion:
      `The ${connector.name} collection needs the application permission ${connector.permission}${others} with admin consent ` +
      `(Entra admin center > App registrations > your app > API permissions). Or leave it out with --only.`,
  });
}
