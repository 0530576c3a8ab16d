import { EntraExtractError, type ErrorDetails } from '../errors/index.js';

/**
 * A diff that cannot be answered from this database: no runs yet (DIFF_NO_RUNS), a window with no
 * complete run in it or one that ends before it starts (DIFF_EMPTY_WINDOW), an --until naming a run
 * the ledger does not hold (DIFF_NO_SUCH_RUN), or a database without the change history
 * (DIFF_NO_HISTORY). Exit 1; a malformed option value is a UsageError (exit 2) instead.
 */
export class DiffError extends EntraExtractError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, details);
  }
}
