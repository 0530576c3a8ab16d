import { Agent } from 'node:https';
import type { ClientSecretCredentialOptions } from '@azure/identity';
import { proxyFor, readProxySettings, type Env } from '../net/proxy-settings.js';

/** Variables @azure/core-rest-pipeline's proxyPolicy reads a proxy from, in its order. */
const LIBRARY_PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'HTTP_PROXY', 'http_proxy'];

type AzureProxySettings = NonNullable<ClientSecretCredentialOptions['proxyOptions']>;

/** The @azure/identity credential options that route the requests to the login host. */
export interface LoginProxyOptions {
  /** Send them through this proxy. */
  proxyOptions?: AzureProxySettings;
  /** Send them direct (an ordinary keep-alive agent: the pipeline's proxy policy leaves it alone). */
  agent?: Agent;
}

/**
 * Routes the login host by the same settings and NO_PROXY rules as the Graph requests
 * (src/net/proxy-settings.ts). @azure/identity's pipeline reads HTTPS_PROXY / ALL_PROXY / HTTP_PROXY
 * and NO_PROXY by itself (@azure/core-rest-pipeline proxyPolicy, with @typespec/ts-http-runtime's
 * https-proxy-agent), but by rules of its own: NO_PROXY only matches a whole host name or a
 * `.suffix` (no subdomains of `example.com`, no `*`, no `host:port`), and it uses HTTPS_PROXY even for
 * http:// URLs. So the route is given explicitly: `proxyOptions` when the login host goes through the
 * proxy; an agent of our own when it goes direct although a proxy variable is set (a request that
 * already has an agent is not proxied). When no proxy variable is set, nothing is added.
 * https://learn.microsoft.com/javascript/api/@azure/identity/tokencredentialoptions (proxyOptions, agent)
 */
export function loginProxyOptions(authorityHost: string, env: Env = process.env): LoginProxyOptions {
  const settings = readProxySettings(env);
  const proxy = settings && proxyFor(authorityHost, settings);
  if (proxy) {
    return {
      proxyOptions: {
        host: `${proxy.protocol}//${proxy.hostname}`,
        port: Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80),
        // URL keeps them percent-encoded; the pipeline rebuilds the proxy URL from them as given.
        ...(proxy.username ? { username: proxy.username } : {}),
        ...(proxy.password ? { password: proxy.password } : {}),
      },
    };
  }
  const libraryWouldProxy = LIBRARY_PROXY_VARIABLES.some((name) => Boolean(env[name]));
  return libraryWouldProxy ? { agent: new Agent({ keepAlive: true }) } : {};
}
