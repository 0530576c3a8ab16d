import type { Connector } from '../pull/connector.js';

/**
 * What a collection needs, read from its connector's declaration (never from a table of our own):
 * `required` is the connector's `permission` with its `alsoAccepted`; `requiresAlso` are needed
 * together with it; `optional` ones widen what is read (missing: a warning).
 */
export type NeedKind = 'required' | 'requiresAlso' | 'optional';

export interface Need {
  kind: NeedKind;
  /** The least-privileged permission. */
  permission: string;
  /** Higher-privileged permissions that also work, as the connector lists them. */
  alsoAccepted: readonly string[];
  /** For optional needs: what it adds. */
  widens?: string;
}

export interface NeedStatus extends Need {
  /** The first permission of [permission, ...alsoAccepted] the token holds, or null. */
  grantedBy: string | null;
}

/** Every need of a connector, required first, in declaration order. */
export function connectorNeeds(connector: Connector): Need[] {
  return [
    { kind: 'required', permission: connector.permission, alsoAccepted: connector.alsoAccepted },
    ...(connector.requiresAlso ?? []).map((n): Need => ({ kind: 'requiresAlso', permission: n.permission, alsoAccepted: n.alsoAccepted })),
    ...(connector.optional ?? []).map((n): Need => ({ kind: 'optional', permission: n.permission, alsoAccepted: n.alsoAccepted, widens: n.widens })),
  ];
}

/** The permissions that satisfy a need: the least-privileged first. */
export function acceptedBy(need: Need): string[] {
  return [need.permission, ...need.alsoAccepted];
}

/** Each need of the connector with the permission of the token that satisfies it, if any. */
export function evaluateNeeds(connector: Connector, granted: ReadonlySet<string>): NeedStatus[] {
  return connectorNeeds(connector).map((need) => ({ ...need, grantedBy: acceptedBy(need).find((p) => granted.has(p)) ?? null }));
}

/** Whether the token holds everything the collection cannot work without (required and requiresAlso). */
export function essentialsGranted(needs: readonly NeedStatus[]): boolean {
  return needs.every((n) => n.kind === 'optional' || n.grantedBy !== null);
}

/** Every permission any of the connectors names (permission, alsoAccepted, requiresAlso, optional). */
export function declaredPermissions(connectors: readonly Connector[]): Set<string> {
  return new Set(connectors.flatMap((c) => connectorNeeds(c).flatMap(acceptedBy)));
}
