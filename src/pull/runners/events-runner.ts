import { getSyncState, insertEvents, isoNow, setWatermark } from '../../store/index.js';
import type { EventsStep } from '../connector.js';
import type { Runner, RunnerEnv } from './runner.js';

/** What an unfinished window saves: its bounds and the page it stopped at. */
interface WindowToken {
  from: string;
  to: string;
  link: string;
}

/**
 * events steps: the events of the window [from, to], appended (duplicates ignored), a page per
 * transaction. The window ends when the run started; it starts at the watermark less the overlap
 * (events arrive late), or `firstWindowMs` back on the first run. Only a complete window moves the
 * watermark, to its end; a crash resumes the same window at its last committed page.
 */
export function eventsRunner(step: EventsStep, env: RunnerEnv, stateKey: string): Runner {
  return {
    query: `events ${step.table} ${step.url('{from}', '{to}')}`,
    tracking: 'events',
    freshToken: '',
    async *units(start) {
      let window: WindowToken;
      if (start.kind === 'resume') {
        window = JSON.parse(start.token) as WindowToken;
      } else {
        const end = env.context.runStartedAt ?? env.now();
        const watermark = getSyncState(env.db, stateKey)?.watermark;
        const fromMs = watermark ? Date.parse(watermark) - step.overlapMs(env.context) : end - step.firstWindowMs(env.context);
        const from = isoNow(Math.min(fromMs, end));
        const to = isoNow(end);
        window = { from: second(from), to: second(to), link: step.url(second(from), second(to)) };
      }
      const { from, to } = window;
      for await (const page of env.readPages(window.link, env.stats, 'list')) {
        const rows = page.value.filter((e) => typeof e.id === 'string').map((e) => step.row(e));
        yield {
          page: true,
          apply: (db, ctx) => {
            const n = insertEvents(db, step.table, rows, ctx.runId);
            if (!page.nextLink) setWatermark(db, stateKey, to);
            return { upserts: n };
          },
          ...(page.nextLink ? { resume: JSON.stringify({ from, to, link: page.nextLink } satisfies WindowToken) } : { end: {} }),
        };
      }
    },
  };
}

/** ISO-8601 UTC to the second, as Graph's $filter examples write it. */
function second(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}
