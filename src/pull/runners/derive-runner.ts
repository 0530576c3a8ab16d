import { liveFieldsAfter } from '../../store/index.js';
import { applyItems } from '../apply-page.js';
import type { DeriveStep, MappedItem } from '../connector.js';
import type { Runner, RunnerEnv } from './runner.js';

/** Stored rows read and written at a time. */
const CHUNK = 1000;

/**
 * derive steps: links computed from the live rows another collection stored (only the properties
 * the step reads), in id order, a chunk per transaction; the resume token is the last row done.
 */
export function deriveRunner(step: DeriveStep, env: RunnerEnv): Runner {
  return {
    query: `derive ${step.sourceType} ${step.name}`,
    tracking: 'list',
    freshToken: '',
    async *units(start) {
      let after = start.kind === 'resume' ? start.token : '';
      for (;;) {
        const rows = liveFieldsAfter(env.db, step.sourceType, step.sourceFields, after, CHUNK);
        if (rows.length === 0) break;
        const items: MappedItem[] = [];
        for (const row of rows) items.push(...step.derive({ id: row.id, data: JSON.parse(row.data) as Record<string, unknown> }, env.context));
        after = rows[rows.length - 1]!.id;
        yield { resume: after, apply: (db, ctx) => applyItems(db, items, ctx) };
        if (rows.length < CHUNK) break;
      }
      yield { end: {}, apply: () => ({}) };
    },
  };
}
