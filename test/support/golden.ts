import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/** Compares text with the golden file `name` in `dir`; UPDATE_GOLDEN=1 rewrites the file instead. */
export function expectGoldenIn(dir: string, name: string, text: string): void {
  const file = join(dir, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
  expect(existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1 once and review it`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}
