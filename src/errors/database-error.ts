import { EntraExtractError, type ErrorDetails } from './entra-extract-error.js';

/**
 * The database cannot be used: missing folder, corrupt file, another tenant's database,
 * another run holding the lock (code DB_LOCKED). Exit 1.
 */
export class DatabaseError extends EntraExtractError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, details);
  }
}
