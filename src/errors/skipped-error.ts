import { EntraExtractError } from './entra-extract-error.js';

/**
 * A collection that did not run for a reason that is not a failure of the pull (the tenant lacks
 * the license its data needs, or a collection it depends on was skipped). The run still succeeds.
 */
export class SkippedError extends EntraExtractError {
  constructor(message: string, cause?: unknown) {
    super('COLLECTION_SKIPPED', message, {
      cause,
      suggestion: 'Nothing to do unless you expected this data: sign-in data needs Microsoft Entra ID P1 or P2 in the tenant.',
    });
  }
}
