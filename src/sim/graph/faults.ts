/**
 * A 200 that is not a page (graph-facts 1.4): what a proxy, captive portal or gateway can answer.
 * - truncated: the real page cut in half, as a well-formed 200 (content-length of the half);
 * - html: text/html, a sign-in / captive-portal page;
 * - empty: an empty body with a JSON content type;
 * - emptyObject: `{}`;
 * - noValue: a JSON object with `@odata.context` but no `value`;
 * - noLinks: the real page without its `@odata.nextLink` and `@odata.deltaLink`;
 * - wrongContentType: the real page's JSON served as text/plain.
 */
export type SpoilKind = 'truncated' | 'html' | 'empty' | 'emptyObject' | 'noValue' | 'noLinks' | 'wrongContentType';

export interface FaultSpec {
  /** Tested against pathname + search; every request matches when absent. */
  path?: RegExp;
  /** How many matching requests get this answer (default 1). */
  times?: number;
  /**
   * Status of an error answer (with a Graph error body unless `body` is given); required unless
   * `spoil` or `resetAfterHeaders` is set. Ignored by those.
   */
  status?: number;
  headers?: Record<string, string>;
  /** Body as given (a string is sent as is, anything else as JSON); default: a Graph error body. */
  body?: unknown;
  /** Code of the default Graph error body. */
  graphCode?: string;
  /** Drop the connection instead of answering. */
  reset?: boolean;
  /**
   * Answer a spoiled 200 instead of the page. The request is first served as usual (so tokens and
   * pages are what they would have been, and a retry of the same URL gets the good page), and the
   * fault fires only on a request the simulation answers 200: a 401 or 429 leaves it pending.
   */
  spoil?: SpoilKind;
  /**
   * Send the real page's headers (200, full content-length) and part of its body, then break the
   * connection. Same firing rule as `spoil`; combined with `spoil`, the spoiled body is the one cut.
   */
  resetAfterHeaders?: boolean;
}

interface Pending extends FaultSpec {
  left: number;
}

/** Faults that answer after the request was served normally (a spoiled 200). */
export function spoilsPage(f: FaultSpec): boolean {
  return f.spoil !== undefined || f.resetAfterHeaders === true;
}

/** Injected answers for the next matching requests (429, 503, 504, resets, 401, spoiled 200s, …). */
export class Faults {
  private readonly queue: Pending[] = [];
  fired = 0;

  add(spec: FaultSpec): void {
    this.queue.push({ ...spec, left: spec.times ?? 1 });
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** Faults still waiting to fire. */
  pending(): number {
    return this.queue.reduce((n, f) => n + f.left, 0);
  }

  /** The first fault matching this request, without firing it. */
  peek(pathAndQuery: string): FaultSpec | undefined {
    return this.queue.find((f) => !f.path || f.path.test(pathAndQuery));
  }

  /** Fires a fault returned by peek: counts it and drops it once used up. */
  fire(spec: FaultSpec): void {
    const i = this.queue.indexOf(spec as Pending);
    if (i < 0) return;
    const f = this.queue[i]!;
    if (--f.left <= 0) this.queue.splice(i, 1);
    this.fired++;
  }

  /** peek + fire. */
  take(pathAndQuery: string): FaultSpec | undefined {
    const f = this.peek(pathAndQuery);
    if (f) this.fire(f);
    return f;
  }
}
