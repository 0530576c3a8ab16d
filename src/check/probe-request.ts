import type { Connector, ConnectorContext } from '../pull/connector.js';
import type { PageKind } from '../graph/index.js';
import { MICROSOFT_GRAPH_APP_ID } from './graph-permission-ids.js';

/**
 * The request a collection's pull really makes first (its first step's URL, same path and $select),
 * made as cheap as Graph allows:
 * - delta: `$deltatoken=latest` ("sync from now": only a deltaLink, no data; supported on the
 *   directory delta functions, https://learn.microsoft.com/graph/delta-query-overview);
 * - list and enrich: `$top=1`, except where Graph accepts only $select (subscribedSkus,
 *   https://learn.microsoft.com/graph/api/subscribedsku-list#optional-query-parameters): the plain URL;
 * - fan-out: one parent, the app's own service principal addressed by its appId
 *   (`/servicePrincipals(appId='…')/…?$top=1`); a parent every tenant has, Microsoft Graph's own
 *   service principal, as the fallback when that one is not found;
 * - events (sign-ins): the same path with `$top=1` and no time window.
 */
export interface ProbeRequest {
  collection: string;
  /** Path under the version root, with its query. */
  url: string;
  /** How the body is checked: a delta page must carry a nextLink or a deltaLink. */
  pageKind: PageKind;
  /**
   * The pull's own first request, when the probe made it cheaper: sent instead if Graph refuses the
   * cheap form as malformed (400), so an unsupported `$top` or `$deltatoken=latest` never reads as a
   * missing permission.
   */
  pullUrl?: string;
  /** A fan-out probe reads one parent object: a 404 there means that object was not found. */
  parent?: boolean;
  /** For a fan-out: the same request on Microsoft Graph's service principal, tried after a 404. */
  fallbackUrl?: string;
}

/** Paths whose list accepts no `$top` (only `$select`). */
const ONLY_SELECT = /^\/subscribedSkus\/?(\?|$)/i;

/** Stands in for a fan-out's parent id, then replaced by an appId key. */
const PARENT = '{parent}';

const FAN_OUT_PARENTS: Record<string, string> = { servicePrincipal: 'servicePrincipals', application: 'applications' };

export interface ProbeContext extends ConnectorContext {
  /** The application (client) id whose service principal a fan-out probe reads. */
  appId?: string;
}

/** The probe of a collection, or undefined when its first step makes no Graph request (derive). */
export function probeRequest(connector: Connector, ctx: ProbeContext): ProbeRequest | undefined {
  const step = connector.steps[0];
  const collection = connector.name;
  switch (step?.kind) {
    case 'delta':
      return cheaper(collection, step.url(ctx), { $deltatoken: 'latest' }, 'delta');
    case 'list': {
      const url = step.url(ctx);
      return ONLY_SELECT.test(url) ? { collection, url, pageKind: 'list' } : cheaper(collection, url, { $top: '1' }, 'list');
    }
    case 'enrich':
      return cheaper(collection, step.url(ctx), { $top: '1' }, 'list');
    case 'events': {
      const end = ctx.runStartedAt ?? Date.now();
      const url = step.url(new Date(end - 3_600_000).toISOString(), new Date(end).toISOString());
      return cheaper(collection, url, { $filter: null, $top: '1' }, 'list');
    }
    case 'fanOut': {
      const segment = FAN_OUT_PARENTS[step.parentType];
      const template = step.url(PARENT, ctx);
      const byId = `/${segment}/${PARENT}`;
      if (!segment || !template.startsWith(byId)) return undefined;
      const on = (appId: string) => withQuery(`/${segment}(appId='${appId}')${template.slice(byId.length)}`, { $top: '1' });
      const request: ProbeRequest = { collection, url: on(ctx.appId ?? MICROSOFT_GRAPH_APP_ID), pageKind: 'list', parent: true };
      if (segment === 'servicePrincipals' && ctx.appId && ctx.appId !== MICROSOFT_GRAPH_APP_ID) request.fallbackUrl = on(MICROSOFT_GRAPH_APP_ID);
      return request;
    }
    default:
      return undefined;
  }
}

function cheaper(collection: string, pullUrl: string, set: Record<string, string | null>, pageKind: PageKind): ProbeRequest {
  const url = withQuery(pullUrl, set);
  return url === pullUrl ? { collection, url, pageKind } : { collection, url, pageKind, pullUrl };
}

/**
 * Sets (or, with null, removes) query options, keeping the others exactly as written: a `$select`
 * list stays readable (no percent-encoding of `$` and `,`).
 */
export function withQuery(url: string, set: Record<string, string | null>): string {
  const at = url.indexOf('?');
  const path = at < 0 ? url : url.slice(0, at);
  const pairs = at < 0 ? [] : url.slice(at + 1).split('&').filter(Boolean);
  const keyOf = (pair: string) => decodeURIComponent(pair.split('=')[0]!).toLowerCase();
  const names = new Set(Object.keys(set).map((k) => k.toLowerCase()));
  const kept = pairs.filter((p) => !names.has(keyOf(p)));
  for (const [k, v] of Object.entries(set)) if (v !== null) kept.push(`${k}=${v}`);
  return kept.length > 0 ? `${path}?${kept.join('&')}` : path;
}
