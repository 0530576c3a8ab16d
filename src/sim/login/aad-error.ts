import { randomUUID } from 'node:crypto';
import { json, type SimResponse } from '../sim-http.js';

/**
 * An error in the shape Entra ID's token endpoint uses:
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#error-response
 */
export function aadError(status: number, error: string, code: number, description: string, now: number): SimResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date(now).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return json(status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}
