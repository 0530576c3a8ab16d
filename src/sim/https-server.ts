import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimHandler } from './sim-http.js';

export interface SimServerOptions {
  handler: SimHandler;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  tls: { cert: string | Buffer; key: string | Buffer };
}

export interface SimServer {
  /** e.g. https://127.0.0.1:54321 */
  origin: string;
  close(): Promise<void>;
}

/** Serves a simulation handler over real HTTPS (keep-alive) for child processes and the benchmark. */
export async function startSimServer(opts: SimServerOptions): Promise<SimServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = createServer({ cert: opts.tls.cert, key: opts.tls.key, keepAlive: true }, (req, res) => {
    void answer(opts.handler, req, res);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(handler: SimHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) headers.append(k, x);
      else headers.set(k, v);
    }
    // The origin the client used (its Host header), so links and token audiences match it.
    const url = new URL(req.url ?? '/', `https://${req.headers.host ?? 'localhost'}`);
    const out = await handler({ method: req.method ?? 'GET', url, headers, body: Buffer.concat(chunks).toString('utf8') });
    if (out?.reset) {
      req.socket.destroy();
      return;
    }
    if (!out) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NotFound', message: `No simulated service answers ${req.method} ${url.pathname}` } }));
      return;
    }
    const body = Buffer.from(out.body ?? '');
    res.writeHead(out.status, { ...out.headers, 'content-length': String(body.length) });
    if (out.resetAfterBytes !== undefined) {
      // Headers promising the whole body, part of it, then a broken connection.
      res.write(body.subarray(0, out.resetAfterBytes), () => req.socket.destroy());
      return;
    }
    res.end(body);
  } catch (err) {
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'generalException', message: (err as Error).message } }));
  }
}
