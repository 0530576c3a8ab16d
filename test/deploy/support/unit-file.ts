/**
 * A systemd unit file read as systemd.syntax(5) describes it: [Section] headers, `Key=Value` lines,
 * `#` and `;` comments, a trailing backslash continuing a line, and keys that may repeat (each
 * occurrence kept, in order).
 */
export type UnitFile = Map<string, Map<string, string[]>>;

export function parseUnitFile(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: Map<string, string[]> | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = unit.get(header[1]!) ?? new Map<string, string[]>();
      unit.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf('=');
    if (!section) throw new Error(`line ${i + 1}: "${line}" is outside any [Section]`);
    if (eq <= 0) throw new Error(`line ${i + 1}: "${line}" is not Key=Value`);
    const key = line.slice(0, eq).trim();
    const values = section.get(key) ?? [];
    values.push(line.slice(eq + 1).trim());
    section.set(key, values);
  }
  return unit;
}

/** Every value of `key` in `section` (empty when absent). */
export function values(unit: UnitFile, section: string, key: string): string[] {
  return unit.get(section)?.get(key) ?? [];
}

/** The last value of `key` (systemd's rule for single-valued settings), or undefined. */
export function value(unit: UnitFile, section: string, key: string): string | undefined {
  return values(unit, section, key).at(-1);
}

/** Splits a value into words, honouring double and single quotes (systemd.syntax(5), "Quoting"). */
export function unitWords(text: string): string[] {
  const words: string[] = [];
  for (const m of text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** `Environment=` lines as name -> value (each line may hold several assignments, quoted or not). */
export function unitEnvironment(unit: UnitFile): Map<string, string> {
  const env = new Map<string, string>();
  for (const line of values(unit, 'Service', 'Environment')) {
    for (const word of unitWords(line)) {
      const eq = word.indexOf('=');
      if (eq <= 0) throw new Error(`Environment=${line}: "${word}" is not NAME=value`);
      env.set(word.slice(0, eq), word.slice(eq + 1));
    }
  }
  return env;
}

/** An `ExecStart=` command line as words, without the special prefixes (`-`, `@`, `:`, `+`, `!`). */
export function execWords(line: string): string[] {
  return unitWords(line.replace(/^[-@:+!|]+/, ''));
}

/** Whether a boolean setting is on (systemd accepts 1, yes, y, true, t, on). */
export function isTrue(text: string | undefined): boolean {
  return text !== undefined && /^(1|yes|y|true|t|on)$/i.test(text);
}
