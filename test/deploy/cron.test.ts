import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliArgs, parseWithCli, unknownNames } from './support/cli-surface.js';
import { configVariables, loadRecipeConfig } from './support/config-variables.js';
import { deployFiles, readRepoFile } from './support/repo.js';
import { cronScheduleProblems } from './support/schedules.js';
import { simpleCommands } from './support/shell-words.js';

const CRON_FILE = 'deploy/cron/entra-extract.cron';
/** The environment template the cron lines source, installed as /etc/entra-extract/env. */
const ENV_TEMPLATE = 'deploy/cron/entra-extract.env';

interface Job {
  line: string;
  schedule: string;
  user: string;
  command: string;
}

/** An /etc/cron.d file (crontab(5)): `NAME=value` lines, and jobs as five schedule fields, a user, a command. */
function parseCronD(text: string): { env: Map<string, string>; jobs: Job[] } {
  const env = new Map<string, string>();
  const jobs: Job[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (assignment) {
      env.set(assignment[1]!, assignment[2]!);
      continue;
    }
    const m = /^(\S+\s+\S+\s+\S+\s+\S+\s+\S+)\s+(\S+)\s+(.+)$/.exec(line);
    if (!m) throw new Error(`${CRON_FILE}: "${line}" is neither NAME=value nor a job`);
    jobs.push({ line, schedule: m[1]!, user: m[2]!, command: m[3]! });
  }
  return { env, jobs };
}

/** `NAME=value` lines of an environment file sourced by sh (quotes removed). */
function parseEnvFile(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(raw);
    if (m) env.set(m[1]!, m[2]!.trim().replace(/^(["'])(.*)\1$/, '$2'));
  }
  return env;
}

const { env: cronEnv, jobs } = parseCronD(readRepoFile(CRON_FILE));
const invocations = jobs.flatMap((job) =>
  simpleCommands(job.command)
    .map((words) => cliArgs(words))
    .filter((args): args is string[] => args !== undefined)
    .map((args) => ({ job, args })),
);

describe('cron for a plain VM (deploy/cron)', () => {
  it('holds only the cron file and its environment template', () => {
    expect(deployFiles().filter((f) => f.startsWith('deploy/cron/'))).toEqual([CRON_FILE, ENV_TEMPLATE].sort());
  });

  it('every job has a valid five-field schedule, a user, and no unescaped % (cron turns it into a newline)', () => {
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      expect(cronScheduleProblems(job.schedule), job.line).toEqual([]);
      expect(job.user).not.toBe('root');
      expect(job.command.replace(/\\%/g, ''), job.line).not.toContain('%');
    }
    expect(cronEnv.get('SHELL')).toBe('/bin/sh');
  });

  it('runs the CLI with commands and options it has', async () => {
    expect(invocations.length).toBeGreaterThan(0);
    for (const { args } of invocations) {
      expect(unknownNames(args), args.join(' ')).toEqual([]);
      await parseWithCli(args);
    }
  });

  it('pulls every day, and checks freshness with status --check', async () => {
    const parsed = await Promise.all(invocations.map(async ({ job, args }) => ({ job, ...(await parseWithCli(args)) })));
    const pull = parsed.find((p) => p.command === 'pull');
    expect(pull, 'a pull job').toBeDefined();
    expect(pull!.job.schedule.split(/\s+/).slice(2)).toEqual(['*', '*', '*']);
    const check = parsed.find((p) => p.command === 'status' && p.options.check === true);
    expect(check, 'a status --check job').toBeDefined();
  });

  it('each job sources the environment file the template installs as, with set -a so that it is exported', () => {
    const template = readRepoFile(ENV_TEMPLATE);
    for (const job of jobs) {
      const words = simpleCommands(job.command);
      const sourced = words.find((w) => w[0] === '.')?.[1];
      expect(sourced, job.line).toBeDefined();
      expect(template, `${ENV_TEMPLATE} says where it goes`).toContain(sourced);
      const at = words.findIndex((w) => w[0] === '.');
      expect(words[at - 1], 'set -a before sourcing').toEqual(['set', '-a']);
    }
  });

  it('the environment template sets only configuration variables, and the CLI accepts it', () => {
    const env = parseEnvFile(readRepoFile(ENV_TEMPLATE));
    const known = configVariables();
    expect([...env.keys()].filter((name) => !known.has(name))).toEqual([]);
    expect(env.has('AZURE_CLIENT_SECRET'), 'a secret in the template; use AZURE_CLIENT_SECRET_FILE').toBe(false);
    const config = loadRecipeConfig(Object.fromEntries(env));
    expect(config.auth.method).toBe('secret');
    expect(config.dbPath).toBe(env.get('ENTRA_DB'));
    expect(posix.isAbsolute(env.get('ENTRA_DB')!)).toBe(true);
  });
});
