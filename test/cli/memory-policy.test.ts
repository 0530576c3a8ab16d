import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, memoryFlags } from '../../src/cli/memory-policy.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * A workload shaped like a pull: some 40 MB kept alive, and pages of objects that live a few turns
 * of the event loop (long enough to be promoted), then are dropped. Prints the peak heap in MB.
 */
const WORKLOAD = `
const live = [];
for (let i = 0; i < 200000; i++) live.push({ id: 'x' + i, n: i, s: 'y'.repeat(50) + i });
let peak = 0;
const pages = [];
for (let round = 0; round < 300; round++) {
  const page = [];
  for (let i = 0; i < 5000; i++) page.push({ id: 'p' + round + '-' + i, t: 'z'.repeat(80) + i });
  pages.push(page);
  if (pages.length > 6) pages.shift();
  await new Promise((r) => setImmediate(r));
  peak = Math.max(peak, process.memoryUsage().heapTotal);
}
console.log(Math.round(peak / 1e6), live.length);
`;

function peakHeapMb(applyPolicy: boolean): number {
  const policy = pathToFileURL(join(ROOT, 'dist', 'src', 'cli', 'memory-policy.js')).href;
  const script = `${applyPolicy ? `(await import(${JSON.stringify(policy)})).applyMemoryPolicy();` : ''}${WORKLOAD}`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return Number(out.split(' ')[0]);
}

describe('the memory policy of the executable', () => {
  it('caps the heap\'s growth unless the node command line sets it', () => {
    expect(memoryFlags([])).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
    expect(memoryFlags(['--enable-source-maps'])).toEqual(['--heap-growing-percent=50']);
    expect(memoryFlags(['--heap-growing-percent=200'])).toEqual([]);
    expect(memoryFlags(['--heap_growing_percent', '80'])).toEqual([]);
  });

  it('set at start, it keeps a pull-shaped heap far smaller (V8 reads the flag at every full collection)', () => {
    const without = peakHeapMb(false);
    const withPolicy = peakHeapMb(true);
    expect(without).toBeGreaterThan(150);
    expect(withPolicy).toBeLessThan(without * 0.7);
  });

  it('the executable applies it before running the command', async () => {
    const bin = (await import('node:fs')).readFileSync(join(ROOT, 'bin', 'entra-extract.js'), 'utf8');
    expect(bin.indexOf('applyMemoryPolicy();')).toBeGreaterThan(0);
    expect(bin.indexOf('applyMemoryPolicy();')).toBeLessThan(bin.indexOf('await main('));
  });
});
