import { formatSeconds } from './graph-time.js';

/**
 * user.signInActivity (https://learn.microsoft.com/graph/api/resources/signinactivity, graph-facts 5.2),
 * as Graph returns it. How the simulation writes what a user never did:
 * - a user who never attempted any sign-in has `signInActivity: null` ("The value of the
 *   lastSignInDateTime property might be blank if ... the affected user account was never used for a
 *   sign-in attempt", https://learn.microsoft.com/entra/identity/monitoring-health/howto-manage-inactive-user-accounts);
 * - a kind of sign-in the user never made (interactive or non-interactive) reads
 *   `0001-01-01T00:00:00Z` with an empty request id, as in the v1.0 user-list example
 *   (https://learn.microsoft.com/graph/api/user-list, "Get users including their last sign-in time");
 * - no successful sign-in recorded (the property exists since 2023-12-01 and is not backfilled) reads
 *   `null` with a `null` request id.
 */
export interface SignInActivity {
  lastSignInDateTime: string;
  lastSignInRequestId: string;
  lastNonInteractiveSignInDateTime: string;
  lastNonInteractiveSignInRequestId: string;
  lastSuccessfulSignInDateTime: string | null;
  lastSuccessfulSignInRequestId: string | null;
}

export const NEVER = '0001-01-01T00:00:00Z';

/** What the directory stores for a user who signed in at least once (times in µs, 0 = never). */
export interface ActivityRecord {
  lastUs: number;
  lastReq: string;
  nonIntUs: number;
  nonIntReq: string;
  succUs: number;
  succReq: string;
}

export function emptyActivity(): ActivityRecord {
  return { lastUs: 0, lastReq: '', nonIntUs: 0, nonIntReq: '', succUs: 0, succReq: '' };
}

/** An interactive attempt (successful or not, both update lastSignInDateTime). */
export function recordInteractive(r: ActivityRecord, us: number, requestId: string, success: boolean): void {
  if (us >= r.lastUs) {
    r.lastUs = us;
    r.lastReq = requestId;
  }
  if (success) recordSuccess(r, us, requestId);
}

export function recordNonInteractive(r: ActivityRecord, us: number, requestId: string, success: boolean): void {
  if (us >= r.nonIntUs) {
    r.nonIntUs = us;
    r.nonIntReq = requestId;
  }
  if (success) recordSuccess(r, us, requestId);
}

function recordSuccess(r: ActivityRecord, us: number, requestId: string): void {
  if (us >= r.succUs) {
    r.succUs = us;
    r.succReq = requestId;
  }
}

export function renderActivity(r: ActivityRecord | undefined): SignInActivity | null {
  if (!r) return null;
  return {
    lastSignInDateTime: r.lastUs ? formatSeconds(r.lastUs) : NEVER,
    lastSignInRequestId: r.lastUs ? r.lastReq : '',
    lastNonInteractiveSignInDateTime: r.nonIntUs ? formatSeconds(r.nonIntUs) : NEVER,
    lastNonInteractiveSignInRequestId: r.nonIntUs ? r.nonIntReq : '',
    lastSuccessfulSignInDateTime: r.succUs ? formatSeconds(r.succUs) : null,
    lastSuccessfulSignInRequestId: r.succUs ? r.succReq : null,
  };
}
