const UNIT_MS: Record<string, number> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Reads a duration option such as --max-wait into milliseconds: whole seconds (`600`) or a whole
 * number with a unit (`90s`, `10m`, `1h`). Throws a plain Error naming the accepted forms; the
 * command turns it into a usage error.
 */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smh]?)$/i.exec(text.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]!.toLowerCase()]! : NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new Error(`'${text}' is not a duration: give whole seconds (600) or a whole number with s, m or h (90s, 10m, 1h).`);
  }
  return ms;
}
