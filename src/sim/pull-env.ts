/** What a `pull` child process needs to reach a simulated tenant served over loopback HTTPS. */
export interface SimTarget {
  origin: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** The loopback CA: trusted by the child through NODE_EXTRA_CA_CERTS; certificate checks stay on. */
  caFile: string;
}

/**
 * The environment for a CLI child pulling the simulation: the parent's environment without any
 * credentials or hosts of its own (AZURE_*, ENTRA_*, IDENTITY_*, GRAPH_ENDPOINT) and without a
 * NODE_TLS_REJECT_UNAUTHORIZED that would switch certificate checks off, and without proxy
 * variables (the simulation is on loopback: a corporate proxy must not be asked for it), plus the
 * simulation's credentials, hosts and CA.
 */
const PROXY_VARIABLE = /^(https?_proxy|no_proxy|all_proxy)$/i;

export function simPullEnv(base: Record<string, string | undefined>, target: SimTarget, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (!/^(AZURE_|ENTRA_|IDENTITY_|GRAPH_ENDPOINT$|NODE_TLS_REJECT_UNAUTHORIZED$)/.test(k) && !PROXY_VARIABLE.test(k)) env[k] = v;
  }
  return {
    ...env,
    NODE_EXTRA_CA_CERTS: target.caFile,
    AZURE_TENANT_ID: target.tenantId,
    AZURE_CLIENT_ID: target.clientId,
    AZURE_CLIENT_SECRET: target.clientSecret,
    AZURE_AUTHORITY_HOST: target.origin,
    GRAPH_ENDPOINT: target.origin,
    ...extra,
  };
}
