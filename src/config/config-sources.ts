import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from '../errors/index.js';

export type EnvLike = Readonly<Record<string, string | undefined>>;

/**
 * Reads `.env` from the working directory with Node's own parser (util.parseEnv). A missing file
 * is fine; nothing is written to process.env.
 */
export function readDotEnv(cwd: string): Record<string, string> {
  const path = join(cwd, '.env');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return {};
    throw new ConfigError('CONFIG_INVALID', `Cannot read ${path}: ${code ?? String(err)}`, {
      suggestion: 'Make the .env file readable, or remove it and set the variables in the environment.',
      cause: err,
    });
  }
  return parseEnv(text) as Record<string, string>;
}

/**
 * Looks a variable up in the sources in order of precedence and returns the first non-empty value.
 * An empty value counts as unset, so `AZURE_CLIENT_SECRET=` left blank in a copied .env.example is ignored.
 */
export function lookup(sources: readonly EnvLike[], name: string): string | undefined {
  for (const source of sources) {
    const value = source[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/**
 * For a value that may be given directly or as a file (`AZURE_CLIENT_SECRET` / `AZURE_CLIENT_SECRET_FILE`):
 * the first source, in order of precedence, that sets either name decides, and within one source the
 * first name listed (the plain variable) wins. So a flag or an environment variable still beats `.env`,
 * whichever of the two forms each uses.
 */
export function lookupFirst(sources: readonly EnvLike[], names: readonly string[]): { name: string; value: string } | undefined {
  for (const source of sources) {
    for (const name of names) {
      const value = source[name]?.trim();
      if (value) return { name, value };
    }
  }
  return undefined;
}
