import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliArgs, parseWithCli, unknownNames } from './support/cli-surface.js';
import { configVariables } from './support/config-variables.js';
import { copyParts, envPairs, execForm, instructions, parseDockerfile, type Stage } from './support/dockerfile.js';
import { cliScript, packageJson, readRepoFile, repoFileExists } from './support/repo.js';

const stages = parseDockerfile(readRepoFile('deploy/Dockerfile'));
const runtime = stages.at(-1)!;
const stageNames = new Set(stages.map((s) => s.name).filter((n): n is string => n !== undefined));
const dockerignore = readRepoFile('.dockerignore')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

/** The lowest Node.js version package.json engines allows (">=20.18.1"). */
function enginesMinimum(): number[] {
  const m = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(packageJson().engines.node.trim());
  if (!m) throw new Error(`engines.node "${packageJson().engines.node}" is not ">=X.Y.Z"`);
  return m.slice(1).map(Number);
}

/** The base image of a stage, following `FROM <earlier stage>` back to an image. */
function baseImage(stage: Stage): string {
  let image = stage.image;
  while (stageNames.has(image)) image = stages.find((s) => s.name === image)!.image;
  return image;
}

/** An environment and working folder of the last stage, as ENV and WORKDIR leave them (inherited stages included). */
function stageChain(stage: Stage): Stage[] {
  const chain = [stage];
  while (stageNames.has(chain[0]!.image)) chain.unshift(stages.find((s) => s.name === chain[0]!.image)!);
  return chain;
}

function lastOf(stage: Stage, keyword: string): string | undefined {
  return stageChain(stage).flatMap((s) => instructions(s, keyword)).at(-1)?.args;
}

function envOf(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const ins of stageChain(stage).flatMap((s) => instructions(s, 'ENV'))) for (const [k, v] of envPairs(ins)) env.set(k, v);
  return env;
}

/** Whether .dockerignore (simple patterns: names, `*`, `!` exceptions) leaves a path out of the build context. */
function ignored(path: string): boolean {
  let out = false;
  for (const pattern of dockerignore) {
    const negate = pattern.startsWith('!');
    const glob = (negate ? pattern.slice(1) : pattern).replace(/^\/|\/$/g, '');
    const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`);
    if (re.test(path)) out = !negate;
  }
  return out;
}

describe('deploy/Dockerfile', () => {
  it(`builds on Node.js 20 slim, at least the version package.json engines asks (${packageJson().engines.node})`, () => {
    const [minMajor, minMinor, minPatch] = enginesMinimum();
    for (const stage of stages) {
      const image = baseImage(stage);
      const m = /^node:(\d+)\.(\d+)(?:\.(\d+))?-([a-z0-9.-]*slim)(@sha256:[0-9a-f]{64})?$/.exec(image);
      expect(m, `FROM ${image}: a node:20.X[.Y]-...slim tag`).not.toBeNull();
      const [major, minor, patch] = [Number(m![1]), Number(m![2]), Number(m![3] ?? 0)];
      expect(major).toBe(minMajor);
      expect(minor * 1000 + patch, `${image} is older than ${minMajor}.${minMinor}.${minPatch}`).toBeGreaterThanOrEqual(minMinor! * 1000 + minPatch!);
    }
  });

  it('installs the production dependencies from the lockfile (npm ci --omit=dev, or a prune)', () => {
    const runs = stages.flatMap((s) => instructions(s, 'RUN')).map((i) => i.args);
    expect(runs.some((r) => /npm ci\b[^&;]*--omit=dev/.test(r) || /npm prune\b[^&;]*--omit=dev/.test(r))).toBe(true);
    for (const r of runs) {
      for (const m of r.matchAll(/npm run (\S+)/g)) expect(Object.keys(packageJson().scripts), `npm run ${m[1]}`).toContain(m[1]);
      for (const m of r.matchAll(/npm rebuild ([a-z0-9@/._-]+)/g)) expect(Object.keys(packageJson().dependencies), `npm rebuild ${m[1]}`).toContain(m[1]);
    }
  });

  it('copies from the build context only files that exist and that .dockerignore lets in', () => {
    for (const stage of stages) {
      for (const ins of instructions(stage, 'COPY')) {
        const { flags, sources } = copyParts(ins);
        if (flags.has('from')) {
          expect([...stageNames], `COPY --from=${flags.get('from')}`).toContain(flags.get('from'));
          continue;
        }
        for (const source of sources.filter((s) => s !== '.')) {
          expect(repoFileExists(source), `COPY ${source}: not in the repository`).toBe(true);
          expect(ignored(source), `COPY ${source}: excluded by .dockerignore`).toBe(false);
        }
      }
    }
  });

  it('.dockerignore keeps dependencies, builds, databases, secrets and history out of the context', () => {
    for (const path of ['node_modules', 'dist', '.git', '.env', 'entra.db', 'contoso.db-wal', 'bench/out', 'coverage']) expect(ignored(path), path).toBe(true);
    for (const path of ['package.json', 'package-lock.json', 'src', 'connectors', 'schemas', 'bin', 'fixtures', '.env.example']) expect(ignored(path), path).toBe(false);
  });

  it('the runtime stage holds everything package.json "files" publishes, in its working folder', () => {
    const workdir = lastOf(runtime, 'WORKDIR') ?? '/';
    // Where each source lands: into the destination folder (`./`, `/app/`, several sources), else at the destination.
    const copied = instructions(runtime, 'COPY').flatMap((ins) => {
      const { sources, dest } = copyParts(ins);
      const into = dest.endsWith('/') || dest === '.' || sources.length > 1;
      return sources.map((src) => posix.resolve(workdir, into ? posix.join(dest, posix.basename(src)) : dest));
    });
    for (const entry of packageJson().files) expect(copied, `package.json files: ${entry}`).toContain(posix.join(workdir, entry));
    expect(copied).toContain(posix.join(workdir, 'package.json'));
  });

  it('runs as a non-root user', () => {
    const user = instructions(runtime, 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(root|0)$/);
  });

  it('keeps the database (ENV ENTRA_DB) on a VOLUME, and sets only configuration variables', () => {
    const env = envOf(runtime);
    const db = env.get('ENTRA_DB');
    expect(db).toMatch(/^\//);
    const volumes = instructions(runtime, 'VOLUME').flatMap((ins) => (ins.args.startsWith('[') ? execForm(ins) : ins.args.split(' ')));
    expect(volumes).toContain(posix.dirname(db!));
    const known = configVariables();
    expect([...env.keys()].filter((name) => name !== 'NODE_ENV' && !known.has(name))).toEqual([]);
  });

  it('ENTRYPOINT is the CLI (package.json bin) and CMD is "pull" with options the CLI has', async () => {
    const entrypoint = execForm(instructions(runtime, 'ENTRYPOINT').at(-1)!);
    expect(cliArgs(entrypoint), `${entrypoint.join(' ')} does not run ${cliScript()}`).toEqual([]);
    const workdir = lastOf(runtime, 'WORKDIR') ?? '/';
    expect(posix.resolve(workdir, entrypoint[1]!)).toBe(posix.join(workdir, cliScript()));
    const cmd = execForm(instructions(runtime, 'CMD').at(-1)!);
    expect(unknownNames(cmd), cmd.join(' ')).toEqual([]);
    expect((await parseWithCli(cmd)).command).toBe('pull');
  });
});
