import { json, type SimResponse } from '../sim-http.js';

export interface ResponseContext {
  requestId: string;
  clientRequestId: string;
  date: string;
}

/** Graph's error shape (errors.md): {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}. */
export function graphErrorBody(code: string, message: string, ctx: ResponseContext, extraInner: Record<string, string> = {}): unknown {
  return {
    error: {
      code,
      message,
      innerError: { ...extraInner, date: ctx.date, 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId },
    },
  };
}

export function graphError(status: number, code: string, message: string, ctx: ResponseContext, headers: Record<string, string> = {}): SimResponse {
  return json(status, graphErrorBody(code, message, ctx), headers);
}
