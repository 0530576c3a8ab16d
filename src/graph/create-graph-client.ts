import { AuthenticationHandler, Client, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import type { AuthenticationProvider, Middleware } from '@microsoft/microsoft-graph-client';
import type { TokenSource } from '../auth/token-source.js';
import { readProxySettings, type Env } from '../net/proxy-settings.js';
import { ProxyFetchHandler } from './proxy-fetch-handler.js';

/** Hosts the client's AuthenticationHandler already attaches tokens to (GRAPH_URLS in the library's Constants.ts). */
export const KNOWN_GRAPH_HOSTS: ReadonlySet<string> = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'graph.microsoft.de',
  'microsoftgraph.chinacloudapi.cn',
  'canary.graph.microsoft.com',
]);

/**
 * customHosts for the client: the AuthenticationHandler sends no token to a host that is neither a
 * known Graph host nor listed here (host name only, no scheme, path or port).
 */
export function customHostsFor(graphEndpoint: string): Set<string> {
  const host = new URL(graphEndpoint).hostname.toLowerCase();
  return KNOWN_GRAPH_HOSTS.has(host) ? new Set() : new Set([host]);
}

/** Token provider for the client; the TokenSource caches and refreshes. */
export function tokenAuthProvider(tokenSource: TokenSource): AuthenticationProvider {
  return { getAccessToken: () => tokenSource.getToken() };
}

export interface GraphClientOptions {
  graphEndpoint: string;
  tokenSource: TokenSource;
  retryMiddleware: Middleware;
  /** Where HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read from. Default process.env. */
  env?: Env;
}

/**
 * The Graph client with our chain: retry (first, the one owner of retries) → authentication → fetch.
 * No library RetryHandler, RedirectHandler or TelemetryHandler. The fetch is the library's
 * HTTPMessageHandler (global fetch), or, when the environment names a proxy, ProxyFetchHandler.
 */
export function createGraphClient(options: GraphClientOptions): Client {
  const baseUrl = options.graphEndpoint.replace(/\/+$/, '');
  return Client.initWithMiddleware({
    middleware: [
      options.retryMiddleware,
      new AuthenticationHandler(tokenAuthProvider(options.tokenSource)),
      fetchMiddleware(options.env ?? process.env),
    ],
    baseUrl,
    defaultVersion: 'v1.0',
    customHosts: customHostsFor(baseUrl),
  });
}

/** The last middleware: a proxy-aware fetch only when HTTPS_PROXY or HTTP_PROXY is set. */
export function fetchMiddleware(env: Env = process.env): HTTPMessageHandler | ProxyFetchHandler {
  const settings = readProxySettings(env);
  return settings ? new ProxyFetchHandler(settings) : new HTTPMessageHandler();
}
