/** A Dockerfile as a list of stages, each a list of instructions (continuations joined, comments dropped). */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = line.slice(0, -1);
      let next = lines[++i]!.trim();
      while (next.startsWith('#') && i + 1 < lines.length) next = lines[++i]!.trim(); // comments inside a continuation
      line = `${line} ${next}`;
    }
    const m = /^(\S+)\s*(.*)$/.exec(line)!;
    instructions.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.replace(/\s+/g, ' ').trim(), line: start + 1 });
  }
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: cannot read FROM ${ins.args}`);
      stages.push({ image: m[1]!, ...(m[2] ? { name: m[2] } : {}), instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
      stage.instructions.push(ins);
    }
  }
  return stages;
}

export function instructions(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/** The exec (JSON) form of ENTRYPOINT, CMD or VOLUME; throws on the shell form, which would not get signals. */
export function execForm(ins: Instruction): string[] {
  const parsed: unknown = JSON.parse(ins.args);
  if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) throw new Error(`line ${ins.line}: ${ins.keyword} is not a JSON array of strings`);
  return parsed as string[];
}

/** `ENV` pairs, in the `NAME=value` form (quoted values allowed) or the legacy `NAME value` form. */
export function envPairs(ins: Instruction): Map<string, string> {
  const env = new Map<string, string>();
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(ins.args)) {
    const m = /^(\S+)\s+(.*)$/.exec(ins.args)!;
    env.set(m[1]!, m[2]!);
    return env;
  }
  for (const m of ins.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) {
    env.set(m[1]!, m[2]!.replace(/^(["'])(.*)\1$/, '$2'));
  }
  return env;
}

/** A COPY: its flags (`--from`, `--chown`, ...), sources and destination. */
export function copyParts(ins: Instruction): { flags: Map<string, string>; sources: string[]; dest: string } {
  const words = ins.args.startsWith('[') ? (JSON.parse(ins.args) as string[]) : ins.args.split(' ');
  const flags = new Map<string, string>();
  while (words[0]?.startsWith('--')) {
    const [flag, val = ''] = words.shift()!.slice(2).split('=');
    flags.set(flag!, val);
  }
  const dest = words.pop();
  if (dest === undefined || words.length === 0) throw new Error(`line ${ins.line}: COPY needs a source and a destination`);
  return { flags, sources: words, dest };
}
