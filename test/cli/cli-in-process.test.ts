import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo, cliArgv } from '../support/cli-capture.js';
import { createSimWorld, type SimWorld } from '../support/sim-world.js';

let world: SimWorld | undefined;
afterEach(() => world?.close());

/** Captures what a command prints; `tty` makes stderr look like a terminal. */
function capture(env: Record<string, string>, tty = false) {
  const c = captureIo(env, { tty });
  return { io: c.io, text: () => ({ stdout: c.stdout(), stderr: c.stderr() }) };
}

const argv = cliArgv;

describe('the CLI, in process', () => {
  it('every command has --help with examples', async () => {
    for (const cmd of [[], ['pull'], ['status'], ['demo']]) {
      const c = capture({});
      expect(await main(argv(...cmd, '--help'), c.io)).toBe(0);
      expect(c.text().stdout).toMatch(/Examples:/);
    }
  });

  it('no command is a usage error (exit 2)', async () => {
    const c = capture({});
    expect(await main(argv(), c.io)).toBe(2);
  });

  it('on a terminal, pull draws live per-collection progress on stderr and the summary on stdout', async () => {
    world = createSimWorld();
    const c = capture({ ...world.env }, true);
    const db = join(c.io.cwd, 'entra.db');
    expect(await main(argv('pull', '--only', 'users,groups', '--db', db), c.io)).toBe(0);
    const { stdout, stderr } = c.text();
    expect(stderr).toMatch(/\x1b\[2K {2}users +full +120 objects/);
    expect(stderr).toMatch(/groups +full .* done/);
    expect(stderr).not.toMatch(/^\{/m); // no JSON log lines on a terminal
    expect(stdout).toMatch(/Run #1 success/);
    expect(stdout).toMatch(/users +full +120 /);
  });

  it('off a terminal, pull writes one JSON line per event on stderr; --json prints only the summary on stdout', async () => {
    world = createSimWorld({ graph: { } });
    world.graph.throttle.set({ every: 5, retryAfter: 'decimal', seconds: 0.05 });
    const c = capture({ ...world.env });
    const db = join(c.io.cwd, 'entra.db');
    expect(await main(argv('pull', '--only', 'users,groups', '--db', db, '--json'), c.io)).toBe(0);
    const { stdout, stderr } = c.text();
    const events = stderr.trim().split('\n').map((l) => JSON.parse(l) as { event: string; level: string });
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['collection.start', 'collection.done', 'graph.throttled']));
    const summary = JSON.parse(stdout) as { ok: boolean; collections: Record<string, { mode: string; upserts: number; requests: number; durationMs: number }> };
    expect(summary.ok).toBe(true);
    expect(summary.collections.users).toMatchObject({ mode: 'full', upserts: 120 });
    expect(summary.collections.groups!.requests).toBeGreaterThan(0);
  });

  it('status reads the ledger without credentials', async () => {
    world = createSimWorld();
    const c = capture({ ...world.env });
    const db = join(c.io.cwd, 'entra.db');
    await main(argv('pull', '--only', 'users,groups', '--db', db), c.io);
    const s = capture({});
    expect(await main(argv('status', '--db', db), s.io)).toBe(0);
    expect(s.text().stdout).toMatch(/#1 .* pull success/);
    expect(s.text().stdout).toMatch(/users +deltaLink \d+ s old/);
  });

  it('a usage error with --json still prints a JSON error object on stdout', async () => {
    const c = capture({});
    expect(await main(argv('pull', '--only', 'nope', '--json'), c.io)).toBe(2);
    expect(JSON.parse(c.text().stdout)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });
});
