import { EntraExtractError } from './entra-extract-error.js';

/** The run was asked to stop (SIGINT, SIGTERM): it stops at the next page boundary. */
export class InterruptedError extends EntraExtractError {
  constructor(signal: string) {
    super('INTERRUPTED', `Stopped by ${signal}`, {
      suggestion: 'Everything up to the last page was committed; the next pull resumes where this one stopped.',
    });
  }
}
