import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/index.js';
import type { Secret } from './config.js';
import { createSecret } from './secret.js';

/** A secret file is a few hundred bytes; anything larger is the wrong file, and is not read whole. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * Reads a secret from the file a `<NAME>_FILE` variable names: the container-secrets convention
 * (docker / compose secrets under /run/secrets, a Kubernetes secret volume, systemd credentials).
 * One trailing newline (`\n` or `\r\n`, which `echo` and most editors add) is dropped; any other
 * whitespace belongs to the secret. Errors name the variable and the path, never what the file holds.
 */
export function readSecretFile(variable: string, path: string): Secret {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError('CONFIG_INVALID', `${variable} ${path} cannot be read (${code}).`, {
      suggestion: `Mount the secret at that path (docker secrets, a Kubernetes secret volume) or correct ${variable}; the file must be readable by the user entra-extract runs as.`,
      cause: err,
    });
  }
  if (data.length > MAX_SECRET_FILE_BYTES) {
    throw new ConfigError('CONFIG_INVALID', `${variable} ${path} is ${data.length} bytes, too large for a secret file.`, {
      suggestion: `Point ${variable} at a file that holds only the secret.`,
    });
  }
  const value = data.toString('utf8').replace(/\r?\n$/, '');
  if (value.trim() === '') {
    throw new ConfigError('CONFIG_INVALID', `${variable} ${path} is empty.`, {
      suggestion: `Put the secret itself in ${path} (for a client secret its Value, not its Secret ID), or unset ${variable}.`,
    });
  }
  return createSecret(value);
}
