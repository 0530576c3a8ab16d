import type { AuthMethod, CloudName } from '../config/config.js';
import type { ExtraPermissions } from './extra-permissions.js';
import type { FixInstructions } from './fix-instructions.js';
import type { Recommendation } from './recommend.js';
import type { NeedStatus } from './requirements.js';
import type { ProbeResult } from './run-probe.js';

/** What `check` found, as data: the CLI prints it as a table or as JSON and derives the exit code. */
export interface CheckReport {
  /** Every checked collection can be pulled (a premium-only one on a tenant without P1/P2 is a warning, not a failure). */
  ok: boolean;
  /** `no-token`: no token could be had (exit 1); `cannot-pull`: a permission is missing or a probe failed (exit 4). */
  outcome: 'ok' | 'cannot-pull' | 'no-token';
  setup: CheckSetup;
  token: TokenReport;
  collections: CollectionCheck[];
  /** Held permissions this tool does not need, and write permissions. */
  extra: ExtraPermissions;
  /** The smallest least-privileged set for the checked collections; null without a token. */
  recommendation: Recommendation | null;
  /** How to grant what is missing; null when nothing is. */
  fix: FixInstructions | null;
  /** Things to act on that do not stop a pull (optional permissions, no P1/P2, write permissions held). */
  warnings: string[];
  /** Explanations (where the probe and the token disagree, and why the probe wins). */
  notes: string[];
  durationMs: number;
}

export interface CheckSetup {
  /** AZURE_TENANT_ID as configured (a GUID or a domain). */
  tenant: string;
  cloud: CloudName;
  graphEndpoint: string;
  authorityHost: string;
  credential: AuthMethod;
  /** The credential in words, never its value (e.g. "client secret", "managed identity (user-assigned …)"). */
  credentialDescription: string;
  /** AZURE_CLIENT_ID, when configured. */
  clientId?: string;
}

export type TokenReport =
  | {
    acquired: true;
    /** The `tid` claim: the tenant GUID. */
    tenantId?: string;
    /** The `appid`/`azp` claim. */
    appId?: string;
    /** The `oid` claim: the service principal's object id. */
    servicePrincipalId?: string;
    /** False when the token has no `roles` claim at all (no application permission has admin consent). */
    hasRolesClaim: boolean;
    /** The application permissions in the `roles` claim. */
    roles: string[];
  }
  | { acquired: false; error: CheckError };

/** An error as an administrator reads it: never a stack, a secret or a token. */
export interface CheckError {
  code: string;
  message: string;
  suggestion?: string;
  request?: string;
}

export type CollectionVerdict = 'ok' | 'warning' | 'failed';

export interface CollectionCheck {
  collection: string;
  /** ok: can be pulled; warning: can be pulled, with less (optional permission) or skipped (no P1/P2); failed: cannot. */
  verdict: CollectionVerdict;
  /** What the connector declares, each with its permission id and what the token holds of it. */
  needs: (NeedStatus & { id?: string })[];
  /** The live request and Graph's answer; null when the collection's first step makes none. */
  probe: ProbeResult | null;
  /**
   * The requests a full round reads by listing instead of the delta chain (the objects' listing, then
   * the first object's members and owners), and Graph's answers; empty when the collection has no
   * listing. A refusal is a warning: the full round reads the delta chain instead.
   */
  listing: ProbeResult[];
  /** Why the verdict reads as it does. */
  messages: string[];
}
