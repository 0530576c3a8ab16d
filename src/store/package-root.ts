import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding package.json, found by walking up from this file, so the same code finds
 * schemas/ and fixtures/ whether it runs compiled (dist/src/...) or from source in tests (src/...).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('entra-extract: cannot find the package root (schemas/ is missing)');
    dir = parent;
  }
}
