/**
 * A small forward proxy for tests, in the test process: CONNECT tunnels (what a client does for
 * https:// through a proxy) are piped to the target, plain absolute-form requests (http:// through a
 * proxy) are forwarded. It records what it was asked, so a test can see every request pass it.
 * A test fixture only: the product never speaks CONNECT itself, undici and https-proxy-agent do.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';

export interface ProxyTarget {
  host: string;
  port: number;
}

export interface LocalProxyOptions {
  /**
   * Where a requested host:port is really served. Lets a test give the CLI host names and ports it
   * can reach only through this proxy. Default: the requested target itself.
   */
  route?: (target: ProxyTarget) => ProxyTarget | undefined;
  /** When set, a request without `Proxy-Authorization: Basic base64(user:password)` gets 407. */
  credentials?: { user: string; password: string };
}

export interface LocalProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  /** CONNECT targets as asked (`host:port`), in order, including refused ones. */
  readonly connects: string[];
  /** Absolute-form (plain http) requests as asked, in order. */
  readonly requests: string[];
  /** Requests (CONNECT or plain) answered 407 for missing or wrong credentials. */
  readonly refused: number;
  /** Tunnels established to a target. */
  readonly tunnels: number;
  close(): Promise<void>;
}

function splitHostPort(authority: string, defaultPort: number): ProxyTarget {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(authority);
  return { host: m?.[1] ?? authority, port: m?.[2] ? Number(m[2]) : defaultPort };
}

export async function startLocalProxy(o: LocalProxyOptions = {}): Promise<LocalProxy> {
  const connects: string[] = [];
  const requests: string[] = [];
  let refused = 0;
  let tunnels = 0;
  const sockets = new Set<Socket>();
  const expected = o.credentials ? `Basic ${Buffer.from(`${o.credentials.user}:${o.credentials.password}`).toString('base64')}` : undefined;
  const authorized = (req: IncomingMessage) => expected === undefined || req.headers['proxy-authorization'] === expected;
  const route = (t: ProxyTarget) => (o.route ? o.route(t) : t);

  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (!authorized(req)) {
      refused++;
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const target = route(splitHostPort(url.host, 80));
    if (!target) {
      res.writeHead(403).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest({ host: target.host, port: target.port, method: req.method, path: `${url.pathname}${url.search}`, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    connects.push(req.url ?? '');
    if (!authorized(req)) {
      refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const target = route(splitHostPort(req.url ?? '', 443));
    if (!target) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    let open = false;
    const upstream = connect(target.port, target.host, () => {
      open = true;
      tunnels++;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => {
      if (open) client.destroy();
      else client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
    client.once('close', () => upstream.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    requests,
    get refused() {
      return refused;
    },
    get tunnels() {
      return tunnels;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface Trap {
  port: number;
  /** Connections made to it: a client that went direct instead of through the proxy. */
  readonly hits: number;
  close(): Promise<void>;
}

/**
 * A port on 127.0.0.1 that serves nothing and counts who connects: the CLI is given this port for
 * a host it must reach through the proxy only (which routes it elsewhere), so any hit is a bypass.
 */
export async function startTrap(): Promise<Trap> {
  let hits = 0;
  const server = createNetServer((socket) => {
    hits++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    get hits() {
      return hits;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
