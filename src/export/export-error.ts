import { EntraExtractError, type ErrorDetails } from '../errors/index.js';

/**
 * An export that cannot be written: no usable data in the database (EXPORT_NO_DATA), an --out that
 * is not an export folder (EXPORT_OUT_REFUSED), or a failed write (EXPORT_WRITE_FAILED). Exit 1.
 */
export class ExportError extends EntraExtractError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, details);
  }
}
