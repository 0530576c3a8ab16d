import { ConfigError } from '../errors/index.js';

/**
 * The proxy the environment names, read once and shared by the Graph transport and the login
 * credential, so that both route every host the same way.
 *
 * Variables: HTTPS_PROXY (for https:// URLs, falling back to HTTP_PROXY), HTTP_PROXY (for http://
 * URLs) and NO_PROXY; the upper-case name wins over the lower-case one, as @azure/core-rest-pipeline
 * reads them. ALL_PROXY is not read. A proxy URL without a scheme means http://.
 */
export interface ProxySettings {
  /** Proxy for https:// URLs. */
  httpsProxy?: URL;
  /** Proxy for http:// URLs. */
  httpProxy?: URL;
  /** NO_PROXY as given ('' when unset). */
  noProxy: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

function variable(env: Env, name: string): { name: string; value: string } | undefined {
  for (const n of [name, name.toLowerCase()]) {
    const value = env[n]?.trim();
    if (value) return { name: n, value };
  }
  return undefined;
}

/** undefined when neither HTTPS_PROXY nor HTTP_PROXY is set: then nothing changes on any path. */
export function readProxySettings(env: Env = process.env): ProxySettings | undefined {
  const https = variable(env, 'HTTPS_PROXY');
  const http = variable(env, 'HTTP_PROXY');
  if (!https && !http) return undefined;
  const httpProxy = http ? parseProxyUrl(http.name, http.value) : undefined;
  const httpsProxy = https ? parseProxyUrl(https.name, https.value) : httpProxy;
  return { httpsProxy, httpProxy, noProxy: variable(env, 'NO_PROXY')?.value ?? '' };
}

function parseProxyUrl(name: string, value: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    url = undefined;
  }
  // The value may hold a proxy password: the message names the variable, never the value.
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new ConfigError('CONFIG_INVALID', `${name} is not an http:// or https:// proxy URL.`, {
      suggestion: `Set ${name} to the proxy as http://host:port (or http://user:password@host:port), or unset it.`,
    });
  }
  return url;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * The proxy for `url`, or undefined to go direct. NO_PROXY follows undici's EnvHttpProxyAgent
 * (node_modules/undici/lib/dispatcher/env-http-proxy-agent.js), which routes the Graph requests, so
 * the login host is decided by the same rules: entries separated by commas or spaces; `*` alone
 * means every host; an entry matches that host and its subdomains (`example.com`, `.example.com`
 * and `*.example.com` are the same); `host:port` matches that port only; no CIDR ranges.
 */
export function proxyFor(url: string | URL, settings: ProxySettings): URL | undefined {
  const target = typeof url === 'string' ? new URL(url) : url;
  const proxy = target.protocol === 'https:' ? settings.httpsProxy : target.protocol === 'http:' ? settings.httpProxy : undefined;
  if (!proxy) return undefined;
  // url.host keeps the brackets of an IPv6 address, as undici compares it.
  const hostname = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(target.port, 10) || DEFAULT_PORTS[target.protocol] || 0;
  return bypassed(hostname, port, settings.noProxy) ? undefined : proxy;
}

function bypassed(hostname: string, port: number, noProxy: string): boolean {
  if (noProxy === '*') return true;
  for (const entry of noProxy.split(/[,\s]/)) {
    if (!entry) continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const host = (parsed ? parsed[1]! : entry).replace(/^\*?\./, '').toLowerCase();
    const entryPort = parsed ? Number.parseInt(parsed[2]!, 10) : 0;
    if (entryPort && entryPort !== port) continue;
    if (hostname === host || hostname.endsWith(`.${host}`)) return true;
  }
  return false;
}

/** scheme://host:port of a proxy, without user name or password, for messages. */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}
