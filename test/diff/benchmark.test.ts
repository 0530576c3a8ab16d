import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDiff } from '../../src/cli/diff-command.js';
import { buildBenchDb, type BenchSize } from './bench-db.js';

/**
 * diff of a 1% change must take at most 5 s on the benchmark tenant (100k users, 1M memberships).
 * The suite measures a tenth of it (10k users, 100k memberships) against a tenth of the budget;
 * ENTRA_DIFF_BENCH=1 builds the full size (about 10 s more) and measures it against 5 s.
 */
async function measure(size: BenchSize) {
  const path = join(mkdtempSync(join(tmpdir(), 'ee-diff-bench-')), 'entra.db');
  const built = buildBenchDb(path, size);
  const started = performance.now();
  const report = await runDiff({ dbPath: path });
  const ms = performance.now() - started;
  console.log(`diff of ${size.users.toLocaleString('en-US')} users / ${built.links.toLocaleString('en-US')} links, ${built.run2Changes.toLocaleString('en-US')} changes in the window: ${ms.toFixed(0)} ms`);
  return { report, ms, built };
}

function expectShape(report: Awaited<ReturnType<typeof runDiff>>, size: BenchSize): void {
  const changedLinks = Math.round(size.fraction * size.users * size.perUser);
  const softDeleted = Math.round(size.fraction * size.users / 10);
  expect(report.from.run).toBe(1);
  expect(report.objects.changed.filter((c) => c.property === 'jobTitle').length).toBeGreaterThan(0);
  expect(report.objects.deleted.length).toBe(softDeleted);
  // Added, plus the new users' memberships; removed, plus every live membership of the soft-deleted users.
  expect(report.granted.length).toBeGreaterThanOrEqual(changedLinks);
  expect(report.removed.length).toBeGreaterThanOrEqual(changedLinks + softDeleted * (size.perUser - 1));
}

describe('diff on a large database', () => {
  it('a 1% change of 10k users and 100k memberships in well under 0.5 s', async () => {
    const size = { users: 10_000, groups: 500, perUser: 10, fraction: 0.01 };
    const { report, ms } = await measure(size);
    expectShape(report, size);
    expect(ms).toBeLessThan(2_000); // the budget at this size is 0.5 s; a shared machine gets slack
  });

  it.skipIf(process.env.ENTRA_DIFF_BENCH !== '1')('a 1% change of 100k users and 1M memberships in at most 5 s', async () => {
    const size = { users: 100_000, groups: 5_000, perUser: 10, fraction: 0.01 };
    const { report, ms } = await measure(size);
    expectShape(report, size);
    expect(ms).toBeLessThan(5_000);
  }, 120_000);
});
