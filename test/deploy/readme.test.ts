import { describe, expect, it } from 'vitest';
import { parseWithCli, unknownNames } from './support/cli-surface.js';
import { deployFiles, readRepoFile } from './support/repo.js';
import { simpleCommands } from './support/shell-words.js';

const GUIDE = 'deploy/README.md';
const recipes = deployFiles().filter((f) => f !== GUIDE);

/** Shell lines in ```sh blocks, with backslash continuations joined. */
function shellLines(markdown: string): string[] {
  const lines: string[] = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    lines.push(...block[1]!.replace(/\\\n\s*/g, ' ').split('\n').filter((l) => l.trim() !== ''));
  }
  return lines;
}

/**
 * The CLI arguments in one simple command of the guide: what follows the last word that is the CLI
 * (`entra-extract`, a path to it, or the image `entra-extract:<tag>`, whose ENTRYPOINT is the CLI),
 * after `sudo`, `env`, `systemd-run` or `docker run` options, when a command name follows it.
 */
function guideInvocation(words: string[]): string[] | undefined {
  let at = -1;
  words.forEach((w, i) => {
    if (/^entra-extract(:\S+)?$/.test(w.split('/').pop()!)) at = i;
  });
  if (at < 0) return undefined;
  const args = words.slice(at + 1);
  // A command name next (not `docker build -t entra-extract:0.2.0 .`, not a user or a folder at the end).
  return /^[a-z][a-z-]*$/.test(args[0] ?? '') ? args : undefined;
}

describe('the recipes are documented', () => {
  it.each(recipes)(`${GUIDE} mentions %s`, (file) => {
    expect(readRepoFile(GUIDE).includes(file), `${GUIDE} does not mention ${file}`).toBe(true);
  });

  it.each(recipes)('README.md mentions %s (its "Running it on a schedule" section)', (file) => {
    expect(readRepoFile('README.md').includes(file), `README.md does not mention ${file}`).toBe(true);
  });

  it(`every entra-extract command line in ${GUIDE} uses commands and options the CLI has`, async () => {
    const invocations = shellLines(readRepoFile(GUIDE))
      .flatMap((line) => simpleCommands(line))
      .map(guideInvocation)
      .filter((args): args is string[] => args !== undefined);
    expect(invocations.length).toBeGreaterThan(0);
    const commands = new Set<string>();
    for (const args of invocations) {
      expect(unknownNames(args), args.join(' ')).toEqual([]);
      commands.add((await parseWithCli(args)).command);
    }
    // The guide shows the schedule's commands: pull, the freshness check and a backup.
    for (const c of ['pull', 'status', 'backup']) expect([...commands], c).toContain(c);
  });
});
