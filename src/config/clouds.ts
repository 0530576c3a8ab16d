import type { CloudName } from './config.js';

/**
 * Graph root and login host of each national cloud.
 * https://learn.microsoft.com/graph/deployments
 * https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud
 * China: the 2025 Entra docs name login.partner.microsoftonline.cn (older Graph docs say login.chinacloudapi.cn).
 */
export interface CloudEndpoints {
  graphEndpoint: string;
  authorityHost: string;
}

export const CLOUDS: Readonly<Record<CloudName, Readonly<CloudEndpoints>>> = Object.freeze({
  global: Object.freeze({ graphEndpoint: 'https://graph.microsoft.com', authorityHost: 'https://login.microsoftonline.com' }),
  usgov: Object.freeze({ graphEndpoint: 'https://graph.microsoft.us', authorityHost: 'https://login.microsoftonline.us' }),
  usgovdod: Object.freeze({ graphEndpoint: 'https://dod-graph.microsoft.us', authorityHost: 'https://login.microsoftonline.us' }),
  china: Object.freeze({
    graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
    authorityHost: 'https://login.partner.microsoftonline.cn',
  }),
});

export const CLOUD_NAMES = Object.freeze(Object.keys(CLOUDS) as CloudName[]);

export function isCloudName(value: string): value is CloudName {
  return (CLOUD_NAMES as readonly string[]).includes(value);
}

/**
 * Login hosts MSAL knows as Microsoft clouds (its instance discovery answers for them).
 * Any other authority host (a test or loopback simulation) needs instance discovery turned off.
 */
const MICROSOFT_LOGIN_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoft.com',
  'login.windows.net',
  'sts.windows.net',
  'login.microsoftonline.us',
  'login.usgovcloudapi.net',
  'login.partner.microsoftonline.cn',
  'login.chinacloudapi.cn',
  'login.microsoftonline.de',
]);

/** Accepts a host name ('login.microsoftonline.us') or a URL ('https://login.microsoftonline.us/'). */
export function isMicrosoftLoginHost(hostOrUrl: string): boolean {
  let host = hostOrUrl.trim().toLowerCase();
  if (host.includes('://')) {
    try {
      host = new URL(host).hostname;
    } catch {
      return false;
    }
  }
  host = host.replace(/:\d+$/, '').replace(/\.$/, '');
  return MICROSOFT_LOGIN_HOSTS.has(host);
}
