import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** The share of time the event loop was busy since a mark (0 to 1). */
export type BusySince = (mark: EventLoopUtilization) => number;

const eventLoopBusy: BusySince = (mark) => performance.eventLoopUtilization(mark).utilization;

/** At most this busy over a round, the process was mostly waiting on Graph. */
export const WAITING_ON_GRAPH = 0.5;
/** At least this busy over a round, the process could not read answers any faster. */
export const BUSY = 0.9;

/**
 * How many `$batch` envelopes one batchPages call keeps in flight, adapted to which side is slower.
 * Once per round (as many envelopes settled as the window holds) it looks at how busy the event loop
 * was (performance.eventLoopUtilization):
 * - mostly idle, and the consumer found the window full while items were ready to go: the process was
 *   waiting on Graph (a slow `$batch`, a far region), so one more envelope, up to `max` (the
 *   transport's concurrency, itself adapted to 429s and paced by the budget);
 * - busy nearly all the time: the answers come faster than this one thread parses and writes them,
 *   and every envelope in flight beyond that only buffers answers in memory, so one fewer, down to `min`.
 * A round rather than each answer, because envelopes sent together come back together: the second
 * of a pair is always already there, which says nothing about who is slower.
 * A caller that gives a size gets exactly that.
 */
export class EnvelopeWindow {
  #size: number;
  #mark: EventLoopUtilization = performance.eventLoopUtilization();
  #settled = 0;
  #full = false;

  constructor(
    readonly min: number,
    readonly max: number,
    initial: number,
    /** A size the caller chose: never adapted. */
    readonly fixed = false,
    private readonly busySince: BusySince = eventLoopBusy,
  ) {
    this.#size = Math.max(Math.min(min, max), Math.min(max, initial));
  }

  get size(): number {
    return this.#size;
  }

  /** The consumer waits for results with `inFlight` envelopes out; `ready`: items wait to be sent. */
  waiting(inFlight: number, ready: boolean): void {
    if (ready && inFlight >= this.#size) this.#full = true;
  }

  /** An envelope settled. */
  settled(): void {
    if (this.fixed || ++this.#settled < this.#size) return;
    const busy = this.busySince(this.#mark);
    if (busy <= WAITING_ON_GRAPH && this.#full) this.#size = Math.min(this.max, this.#size + 1);
    else if (busy >= BUSY) this.#size = Math.max(this.min, this.#size - 1);
    this.#mark = performance.eventLoopUtilization();
    this.#settled = 0;
    this.#full = false;
  }
}
