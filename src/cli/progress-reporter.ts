import type { CollectionProgress } from '../pull/sync-collection.js';
import type { TransportEvent } from '../graph/index.js';

export interface ProgressReporter {
  progress(p: CollectionProgress): void;
  transport(e: TransportEvent): void;
  /** Something the operator should read that is not progress (a notice, a warning). */
  note(text: string): void;
  done(): void;
}

/** Live progress on a terminal, one structured JSON line per event otherwise (logs, schedulers). */
export function createProgressReporter(stream: NodeJS.WriteStream, options: { quiet?: boolean } = {}): ProgressReporter {
  if (options.quiet) return { progress() {}, transport() {}, note() {}, done() {} };
  return stream.isTTY ? new TtyProgress(stream) : new LogLines(stream);
}

const fmt = (n: number) => n.toLocaleString('en-US');

interface Row {
  p: CollectionProgress;
  throttleWaits: number;
  throttleMs: number;
}

class TtyProgress implements ProgressReporter {
  private rows = new Map<string, Row>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private throttleWaits = 0;
  private throttleMs = 0;
  constructor(private readonly out: NodeJS.WriteStream) {}

  progress(p: CollectionProgress): void {
    const row = this.rows.get(p.collection) ?? { p, throttleWaits: 0, throttleMs: 0 };
    row.p = p;
    this.rows.set(p.collection, row);
    if ((p.event === 'warning' || p.event === 'resync') && p.detail) this.note(`${p.collection}: ${p.event === 'resync' ? 'full resync: ' : ''}${p.detail}`);
    if (p.event === 'skipped' && p.detail) this.note(p.detail);
    if (p.event === 'page' || p.event === 'warning') this.schedule();
    else this.draw();
  }

  /** A line that stays above the live table. */
  note(text: string): void {
    this.out.write(`${this.drawn > 0 ? `\x1b[${this.drawn}A\x1b[0J` : ''}${text}\n`);
    this.drawn = 0;
    this.draw();
  }

  transport(e: TransportEvent): void {
    if (e.type === 'throttled') {
      this.throttleWaits++;
      this.throttleMs += e.waitMs;
      this.schedule();
    }
  }

  done(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.draw();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, 100);
  }

  private draw(): void {
    const lines = [...this.rows.values()].map(({ p }) => {
      const state = p.event === 'done' ? 'done' : p.event === 'failed' ? 'FAILED' : p.event === 'skipped' ? 'skipped' : p.event === 'resync' ? 'resync' : '…';
      const waits = p.throttled > 0 ? `  ${p.throttled} throttle waits` : '';
      return `  ${p.collection.padEnd(22)} ${p.mode.padEnd(5)} ${fmt(p.objects).padStart(10)} objects ${fmt(p.links).padStart(11)} links ${fmt(p.pages).padStart(6)} pages  ${state}${waits}`;
    });
    if (this.throttleWaits > 0) lines.push(`  throttled ${this.throttleWaits}× by Graph, waited ${(this.throttleMs / 1000).toFixed(1)} s in all`);
    let s = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const l of lines) s += `\x1b[2K${l}\n`;
    this.out.write(s);
    this.drawn = lines.length;
  }
}

class LogLines implements ProgressReporter {
  private lastPageLog = new Map<string, number>();
  constructor(private readonly out: NodeJS.WritableStream, private readonly pageEveryMs = 5000) {}

  private line(fields: Record<string, unknown>): void {
    this.out.write(`${JSON.stringify({ time: new Date().toISOString(), ...fields })}\n`);
  }

  progress(p: CollectionProgress): void {
    if (p.event === 'page') {
      const last = this.lastPageLog.get(p.collection) ?? 0;
      if (Date.now() - last < this.pageEveryMs) return;
      this.lastPageLog.set(p.collection, Date.now());
    }
    const level = p.event === 'failed' ? 'error' : p.event === 'resync' || p.event === 'restart' || p.event === 'warning' || p.event === 'skipped' ? 'warn' : 'info';
    this.line({
      level, event: `collection.${p.event}`, collection: p.collection, mode: p.mode,
      pages: p.pages, objects: p.objects, links: p.links, throttled: p.throttled, ...(p.detail ? { detail: p.detail } : {}),
    });
  }

  transport(e: TransportEvent): void {
    if (e.type === 'throttled') this.line({ level: 'warn', event: 'graph.throttled', url: redactQuery(e.url), status: e.status, waitMs: e.waitMs });
    else if (e.type === 'retry') this.line({ level: 'warn', event: 'graph.retry', url: redactQuery(e.url), attempt: e.attempt, reason: e.reason, waitMs: e.waitMs });
    else this.line({ level: 'info', event: 'auth.token-refresh' });
  }

  note(text: string): void {
    this.line({ level: 'warn', event: 'notice', message: text });
  }

  done(): void {}
}

/** Skip and delta tokens are not secrets, but they are long and useless in a log: keep the path. */
function redactQuery(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? url : `${url.slice(0, i)}?…`;
}
