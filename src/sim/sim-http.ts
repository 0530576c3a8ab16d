/**
 * The simulation's own tiny HTTP model, independent of msw and of node:http, so the same
 * simulated Graph and login service can be served by msw (tests, in-process) and by a real
 * node:https server on loopback (demo, end-to-end tests, benchmark).
 */
export interface SimRequest {
  method: string;
  url: URL;
  headers: Headers;
  /** Raw request body ('' when none). */
  body: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Already serialized body (JSON text for JSON responses). */
  body?: string;
  /** Reset the connection instead of answering (simulates ECONNRESET). */
  reset?: boolean;
  /**
   * Send the status, the headers (content-length of the whole body) and only this many bytes of the
   * body, then break the connection: a response cut after its headers.
   */
  resetAfterBytes?: number;
}

/** Answers a request, or returns undefined when the request is not for this handler. */
export type SimHandler = (req: SimRequest) => SimResponse | undefined | Promise<SimResponse | undefined>;

export function json(status: number, value: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}
