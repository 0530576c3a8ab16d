import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliArgs, parseWithCli, unknownNames } from './support/cli-surface.js';
import { configVariables, loadRecipeConfig } from './support/config-variables.js';
import { deployFiles, readRepoFile } from './support/repo.js';
import { onCalendarProblems, timeSpanSeconds } from './support/schedules.js';
import { execWords, isTrue, parseUnitFile, unitEnvironment, value, values, type UnitFile } from './support/unit-file.js';

const unitFiles = deployFiles().filter((f) => f.startsWith('deploy/systemd/'));
const services = unitFiles.filter((f) => f.endsWith('.service'));
const timers = unitFiles.filter((f) => f.endsWith('.timer'));
const load = (file: string): UnitFile => parseUnitFile(readRepoFile(file));

/** The pull service: the one whose ExecStart runs `pull`. */
const PULL_SERVICE = 'deploy/systemd/entra-extract.service';

function cliInvocation(unit: UnitFile): string[] {
  const exec = values(unit, 'Service', 'ExecStart');
  expect(exec).toHaveLength(1);
  const args = cliArgs(execWords(exec[0]!));
  expect(args, `ExecStart=${exec[0]} does not run the CLI`).toBeDefined();
  return args!;
}

describe('systemd units (deploy/systemd)', () => {
  it('every file is a service or a timer, and the pull service is there', () => {
    expect(unitFiles.filter((f) => !f.endsWith('.service') && !f.endsWith('.timer'))).toEqual([]);
    expect(services).toContain(PULL_SERVICE);
  });

  describe.each(services)('%s', (file) => {
    const unit = load(file);
    const env = unitEnvironment(unit);

    it('is a oneshot service whose ExecStart runs the CLI with options it has', async () => {
      expect(value(unit, 'Service', 'Type')).toBe('oneshot');
      const args = cliInvocation(unit);
      expect(unknownNames(args), args.join(' ')).toEqual([]);
      await parseWithCli(args);
    });

    it('sets only configuration variables (.env.example, CONTRACT.md section 2, proxy and runtime variables)', () => {
      const known = configVariables();
      expect([...env.keys()].filter((name) => !known.has(name))).toEqual([]);
      expect(env.has('AZURE_CLIENT_SECRET'), 'a secret in the unit file; use LoadCredential= and AZURE_CLIENT_SECRET_FILE').toBe(false);
    });

    it('keeps the database in its StateDirectory, as a dynamic user in a read-only system', () => {
      expect(isTrue(value(unit, 'Service', 'DynamicUser'))).toBe(true);
      const state = value(unit, 'Service', 'StateDirectory');
      expect(state).toMatch(/^[^/\s]+$/);
      expect(posix.dirname(env.get('ENTRA_DB') ?? '')).toBe(`/var/lib/${state}`);
      const cwd = value(unit, 'Service', 'WorkingDirectory');
      if (cwd !== undefined) expect(cwd).toBe(`/var/lib/${state}`);
      expect(value(unit, 'Service', 'ProtectSystem')).toBe('strict');
      expect(value(unit, 'Service', 'ProtectHome')).toMatch(/^(yes|true|read-only|tmpfs)$/);
      for (const key of ['PrivateTmp', 'NoNewPrivileges']) expect(isTrue(value(unit, 'Service', key)), key).toBe(true);
      // V8's JIT needs memory that is written and then executed: this setting would kill node.
      expect(isTrue(value(unit, 'Service', 'MemoryDenyWriteExecute'))).toBe(false);
    });

    it('reads the client secret, if any, from the credential LoadCredential= names (%d is $CREDENTIALS_DIRECTORY)', () => {
      const secretFile = env.get('AZURE_CLIENT_SECRET_FILE');
      const credentials = new Map(values(unit, 'Service', 'LoadCredential').map((v) => v.split(':') as [string, string]));
      if (secretFile === undefined) {
        expect(credentials.size).toBe(0);
        return;
      }
      expect(secretFile).toMatch(/^%d\/[^/]+$/);
      const id = posix.basename(secretFile);
      expect([...credentials.keys()]).toContain(id);
      expect(credentials.get(id)).toMatch(/^\/etc\//);
    });

    it("passes the CLI's own configuration loader when it runs pull", async () => {
      const args = cliInvocation(unit);
      if ((await parseWithCli(args)).command !== 'pull') return;
      const plain = Object.fromEntries(env);
      const config = loadRecipeConfig(plain);
      expect(config.auth.method).toBe('secret');
      expect(config.dbPath).toBe(plain.ENTRA_DB);
    });
  });

  describe(PULL_SERVICE, () => {
    const unit = load(PULL_SERVICE);

    it('runs pull, and treats exit 5 (another run holds the database, nothing done) as success', async () => {
      expect((await parseWithCli(cliInvocation(unit))).command).toBe('pull');
      const ok = values(unit, 'Service', 'SuccessExitStatus').flatMap((v) => v.split(/\s+/));
      expect(ok).toContain('5');
    });
  });

  describe.each(services.filter((f) => f !== PULL_SERVICE))('%s (another service on the same database)', (file) => {
    const unit = load(file);
    const pull = load(PULL_SERVICE);

    it('runs as the same user on the same StateDirectory and database as the pull service', () => {
      expect(value(unit, 'Service', 'User')).toBe(value(pull, 'Service', 'User'));
      expect(value(unit, 'Service', 'User')).toBeDefined();
      expect(value(unit, 'Service', 'StateDirectory')).toBe(value(pull, 'Service', 'StateDirectory'));
      expect(unitEnvironment(unit).get('ENTRA_DB')).toBe(unitEnvironment(pull).get('ENTRA_DB'));
    });

    it('if it is the freshness check, exit 6 fails the unit so that monitoring sees it', async () => {
      const parsed = await parseWithCli(cliInvocation(unit));
      if (parsed.command !== 'status') return;
      expect(parsed.options.check).toBe(true);
      const ok = values(unit, 'Service', 'SuccessExitStatus').flatMap((v) => v.split(/\s+/));
      expect(ok).not.toContain('6');
    });
  });

  describe.each(timers)('%s', (file) => {
    const unit = load(file);

    it('starts a service in this folder on a valid calendar event, catching up runs missed while off', () => {
      const target = value(unit, 'Timer', 'Unit') ?? posix.basename(file).replace(/\.timer$/, '.service');
      expect(services).toContain(`deploy/systemd/${target}`);
      const calendar = values(unit, 'Timer', 'OnCalendar');
      expect(calendar.length).toBeGreaterThan(0);
      for (const c of calendar) expect(onCalendarProblems(c)).toEqual([]);
      expect(isTrue(value(unit, 'Timer', 'Persistent'))).toBe(true);
      expect(values(unit, 'Install', 'WantedBy')).toContain('timers.target');
    });

    it('spreads the pull with RandomizedDelaySec', () => {
      if (value(unit, 'Timer', 'Unit') !== posix.basename(PULL_SERVICE)) return;
      expect(timeSpanSeconds(value(unit, 'Timer', 'RandomizedDelaySec') ?? '')).toBeGreaterThan(0);
    });
  });

  it('the pull service has a timer', () => {
    expect(timers.map((t) => value(load(t), 'Timer', 'Unit'))).toContain(posix.basename(PULL_SERVICE));
  });
});
