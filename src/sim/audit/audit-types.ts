/** The public option and record types of the simulated sign-in log (AuditData). */

/** Options of the simulated sign-in log (see generate-audit.ts). */
export interface AuditGenOptions {
  /** Generate anything at all (default true). */
  enabled?: boolean;
  /** Sign-in events (default 3 per live user who ever signed in, at most 300,000). */
  signIns?: number;
  /** Events are spread over this many days before `now` (default 30, the P1/P2 retention). */
  days?: number;
  /** The time of generation, ms since the epoch (default Date.now()). */
  now?: number;
  /** Entra ID P1/P2 licence: without it both endpoints answer 403 (default true). */
  premium?: boolean;
  /** Entra ID P2: risk properties are filled, else they read `hidden` (default true). */
  riskData?: boolean;
  /** Share of live users who never signed in: signInActivity null (default 0.08; half of disabled users). */
  neverSignedInRatio?: number;
  /** Share of the other users with a non-interactive sign-in, which the v1.0 log does not list (default 0.8). */
  nonInteractiveRatio?: number;
  /** Share of attempts that fail (default 0.07). */
  failureRate?: number;
  /** Share of events that take longer than 5 minutes to become visible (default 0.1; see draw-sign-in.ts). */
  slowArrivalRate?: number;
  /** Days an event stays listed (default 30, https://learn.microsoft.com/entra/identity/monitoring-health/reference-reports-data-retention). */
  retentionDays?: number;
}

/** How the endpoints page; tests may change these at any time. */
export interface AuditPagingOptions {
  /** Lifetime of a nextLink (default 10 minutes). */
  skipTokenTtlMs: number;
  /** Live nextLinks kept, oldest dropped first (default 10,000). */
  maxSkipTokens: number;
}

/** An event to add by hand (tests). */
export interface SignInSpec {
  id?: string;
  /** createdDateTime: ms since the epoch or an ISO-8601 literal (default now). */
  createdAt?: number | string;
  /** Visible this long after createdAt (default 0: at once). */
  visibleAfterMs?: number;
  /** Absolute time of visibility (ms), instead of visibleAfterMs. */
  visibleAt?: number;
  /** An existing user (default a random live user). */
  userId?: string;
  /** One of the catalog's app ids (default drawn). */
  appId?: string;
  /** One of the catalog's error codes, 0 for success (default drawn). */
  errorCode?: number;
  /** Properties replaced in the rendered event, e.g. { ipAddress: '2001:db8::1' }. */
  props?: Record<string, unknown>;
}

export interface AddSignInsOptions {
  /** Time of the first (newest) event, ms or ISO (default now). */
  createdAt?: number | string;
  /** Each next event is this much older (default 1000 ms; 0 gives equal times, ordered by id). */
  stepMs?: number;
  visibleAfterMs?: number;
  userId?: string;
}

/** What the log holds of one visible event, for comparing with a client's copy. */
export interface SignInSummary {
  id: string;
  createdDateTime: string;
  userId: string;
  userPrincipalName: string | null;
  appId: string;
  errorCode: number;
}
