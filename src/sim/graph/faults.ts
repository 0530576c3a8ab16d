export interface FaultSpec {
  /** Tested against pathname + search; every request matches when absent. */
  path?: RegExp;
  /** How many matching requests get this answer (default 1). */
  times?: number;
  status: number;
  headers?: Record<string, string>;
  /** Body as given (a string is sent as is, anything else as JSON); default: a Graph error body. */
  body?: unknown;
  /** Code of the default Graph error body. */
  graphCode?: string;
  /** Drop the connection instead of answering. */
  reset?: boolean;
}

interface Pending extends FaultSpec {
  left: number;
}

/** Injected answers for the next matching requests (429, 503, 504, resets, 401, …). */
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

  take(pathAndQuery: string): FaultSpec | undefined {
    const i = this.queue.findIndex((f) => !f.path || f.path.test(pathAndQuery));
    if (i < 0) return undefined;
    const f = this.queue[i]!;
    if (--f.left <= 0) this.queue.splice(i, 1);
    this.fired++;
    return f;
  }
}
