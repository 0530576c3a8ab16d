import { daysBetween, type ReportContext } from './report-context.js';
import type { AccountFinding } from './report-findings.js';

/** One identity's row in the account sections: who, its last sign-in, and what it holds. */
export function accountFinding(ctx: ReportContext, slot: number): AccountFinding {
  const signIn = ctx.ids.signInOf(slot);
  return {
    identity: ctx.ids.refOfSlot(slot),
    signIn,
    daysSinceSignIn: signIn?.lastSuccessful ? daysBetween(signIn.lastSuccessful, ctx.now) : null,
    holds: ctx.access.holdings(slot),
  };
}
