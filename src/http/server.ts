import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../core/ports.js';
import type { PromMetrics } from '../infra/metrics.js';
import { alertRoutes, type AlertRoutesOptions } from './alerts.js';
import { healthRoutes, type ReadinessCheck } from './health.js';

/**
 * The bot's one HTTP server (Fastify): health and metrics for operators, alert webhooks from
 * monitoring, and Slack's /slack/events. Slack's requests go to Bolt's own listener untouched
 * (Bolt verifies the signature over the raw bytes, so nothing here may read the body first):
 * the Node server in front of Fastify hands mounted paths to their listener and everything
 * else to Fastify.
 *
 * Closing stops taking connections, answers requests that arrive on open keep-alive connections
 * with 503, lets the requests under way finish, and resolves once the last one has.
 */

/** The longest a request may take to arrive whole (Fastify's default is no limit). */
export const REQUEST_TIMEOUT_MS = 30_000;
/** How long close() waits for requests under way before it cuts their connections. */
export const CLOSE_GRACE_MS = 10_000;

export type RawListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpServerOptions {
  /** 0 picks a free port (tests); see `port` afterwards. */
  port: number;
  /** Default 0.0.0.0. */
  host?: string;
  log: Logger;
  /** /readyz: each named part of the bot that must work for it to be ready. */
  readiness?: ReadonlyMap<string, ReadinessCheck>;
  /** This process's replica id, named in /readyz. */
  replica?: string;
  metrics?: PromMetrics;
  /** POST /alerts/:sourceId; absent, the alert endpoints answer 404. */
  alerts?: AlertRoutesOptions;
  /**
   * Behind a TLS proxy (PUBLIC_URL is https): take the client's protocol and address from
   * X-Forwarded-Proto and X-Forwarded-For, so the dashboard's cookies are marked Secure.
   */
  trustProxy?: boolean;
  /** The web dashboard (src/web/server.ts), registered after the operator and webhook routes. */
  web?: (app: FastifyInstance) => Promise<unknown>;
}

export interface HttpServer {
  readonly port: number;
  /** The base URL a client on this machine reaches it at. */
  readonly url: string;
  /** Serves `path` (exactly, any method) with a Node listener that gets the request unread; returns the unmount. */
  mount(path: string, listener: RawListener): () => void;
  close(): Promise<void>;
}

export async function startHttpServer(o: HttpServerOptions): Promise<HttpServer> {
  const mounts = new Map<string, RawListener>();
  const state = { closing: false, open: new Set<ServerResponse>() };
  const app = Fastify({
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A client that sends its request slowly (or never finishes it) is cut off: it cannot hold an
    // alert slot, or the shutdown, for ever.
    requestTimeout: REQUEST_TIMEOUT_MS,
    trustProxy: o.trustProxy ?? false,
    serverFactory: (handler) => createServer((req, res) => route(req, res, { mounts, state, handler, log: o.log })),
  });
  await app.register(healthRoutes({ readiness: o.readiness ?? new Map(), ...(o.replica ? { replica: o.replica } : {}), ...(o.metrics ? { metrics: o.metrics } : {}), log: o.log }));
  if (o.alerts) await app.register(alertRoutes(o.alerts));
  if (o.web) await o.web(app);
  await listen(app, o.port, o.host ?? '0.0.0.0');
  const port = (app.server.address() as AddressInfo).port;
  o.log.info({ port, host: o.host ?? '0.0.0.0', alertSources: o.alerts?.sources.map((s) => s.id) ?? [] }, 'http server listening');
  let closed: Promise<void> | undefined;
  return {
    port,
    url: localUrl(o.host ?? '0.0.0.0', port),
    mount(path, listener) {
      mounts.set(path, listener);
      return () => void (mounts.get(path) === listener && mounts.delete(path));
    },
    close() {
      if (!state.closing) {
        state.closing = true;
        state.open.forEach(lastOnItsConnection);
      }
      if (!closed) {
        // Requests under way get CLOSE_GRACE_MS to finish; a connection still open after that
        // (a client that stopped sending) is cut, so a SIGTERM always ends.
        const cut = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
        cut.unref();
        closed = app.close().then(() => {
          clearTimeout(cut);
          o.log.info({ port }, 'http server closed');
        });
      }
      return closed;
    },
  };
}

interface RouteContext {
  mounts: ReadonlyMap<string, RawListener>;
  state: { closing: boolean; open: Set<ServerResponse> };
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  log: Logger;
}

function route(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): void {
  ctx.state.open.add(res);
  res.once('close', () => ctx.state.open.delete(res));
  const listener = ctx.mounts.get((req.url ?? '/').split('?')[0] ?? '/');
  if (!listener) return ctx.handler(req, res);
  if (ctx.state.closing) {
    res.writeHead(503, { connection: 'close', 'retry-after': '5' }).end();
    return;
  }
  try {
    listener(req, res);
  } catch (err) {
    ctx.log.error({ path: req.url, err }, 'http listener failed');
    if (!res.headersSent) res.writeHead(500).end();
  }
}

/**
 * A request under way when closing began ends its connection once answered: a kept-alive
 * connection would otherwise hold the close until the client let it go.
 */
function lastOnItsConnection(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
  else res.once('finish', () => res.socket?.end());
}

async function listen(app: FastifyInstance, port: number, host: string): Promise<Server> {
  try {
    await app.listen({ port, host });
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  return app.server;
}

/** Where a client on this machine reaches a server bound to `host`. */
function localUrl(host: string, port: number): string {
  if (['0.0.0.0', '::', 'localhost', '127.0.0.1'].includes(host)) return `http://127.0.0.1:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
