import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { packageRoot } from '../store/package-root.js';
import { simPullEnv } from './pull-env.js';

/** A simulated tenant served by its own process (dist/src/sim/sim-process.js) over loopback HTTPS. */
export interface SimChild {
  origin: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  caFile: string;
  /** The first line the process printed (origin, generation time, tenant stats). */
  hello: Record<string, unknown>;
  /** Sends one command line and resolves with its one-line JSON answer. */
  command(cmd: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** The environment a CLI child needs to pull this tenant: credentials, hosts and the loopback CA. */
  pullEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
  close(): Promise<void>;
  process: ChildProcess;
}

export async function startSimChild(args: string[] = []): Promise<SimChild> {
  const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'src', 'sim', 'sim-process.js'), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((v: Record<string, unknown>) => void)[] = [];
  const early: Record<string, unknown>[] = [];
  lines.on('line', (line) => {
    const value = JSON.parse(line) as Record<string, unknown>;
    const next = waiting.shift();
    if (next) next(value);
    else early.push(value);
  });
  const nextLine = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const ready = early.shift();
      if (ready) return resolve(ready);
      // One exit listener per pending answer, removed with the answer (no listener piles up per command).
      const onExit = (code: number | null) => reject(new Error(`sim process exited with ${code}`));
      child.once('exit', onExit);
      waiting.push((value) => {
        child.off('exit', onExit);
        resolve(value);
      });
    });
  const hello = await nextLine();
  const s = hello as { origin: string; tenantId: string; clientId: string; clientSecret: string; caFile: string };
  return {
    origin: s.origin,
    tenantId: s.tenantId,
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    caFile: s.caFile,
    hello,
    process: child,
    command(cmd) {
      const answer = nextLine();
      child.stdin!.write(`${JSON.stringify(cmd)}\n`);
      return answer;
    },
    pullEnv(extra = {}) {
      return simPullEnv(process.env, s, extra);
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end(`${JSON.stringify({ cmd: 'exit' })}\n`);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
