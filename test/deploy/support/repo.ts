import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/deploy/support/repo.ts). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function readRepoFile(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

export function repoFileExists(path: string): boolean {
  return existsSync(join(ROOT, path));
}

/** Every file under deploy/, as a repository-relative path with forward slashes, sorted. */
export function deployFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(ROOT, path).split('\\').join('/'));
    }
  };
  walk(join(ROOT, 'deploy'));
  return out.sort();
}

export interface PackageJson {
  version: string;
  bin: Record<string, string>;
  files: string[];
  engines: { node: string };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

export function packageJson(): PackageJson {
  return JSON.parse(readRepoFile('package.json')) as PackageJson;
}

/** The CLI's script as package.json "bin" names it, e.g. `bin/entra-extract.js`. */
export function cliScript(): string {
  const bin = packageJson().bin['entra-extract'];
  if (!bin) throw new Error('package.json has no bin "entra-extract"');
  return bin.replace(/^\.\//, '');
}
