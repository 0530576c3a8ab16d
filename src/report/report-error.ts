import { EntraExtractError, type ErrorDetails } from '../errors/index.js';

/**
 * A report that cannot be made: a database that never completed a pull (REPORT_NO_PULL), one written
 * before the effective_relations view (REPORT_OLD_DATABASE), an --out that cannot be written
 * (REPORT_OUT_FAILED). Exit 1; a malformed option is a UsageError (exit 2) instead.
 */
export class ReportError extends EntraExtractError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, details);
  }
}
