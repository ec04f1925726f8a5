import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPReceiver, type App, type Logger as BoltLogger, type Receiver } from '@slack/bolt';
import type { Logger } from '../../core/ports.js';
import { startHttpServer, type HttpServer } from '../../http/server.js';
import { REQUEST_PROPERTY, requestIdOf } from './replay.js';

/**
 * Bolt's HTTPReceiver behind one extra check. Bolt verifies the signature and rejects requests
 * older than 5 minutes, but accepts any timestamp in the future: a signed request stamped an
 * hour ahead (a sender with a wrong clock, or a request prepared in advance) would stay
 * replayable for an hour and five minutes. The window should be the same both ways, so a
 * request stamped more than 5 minutes ahead gets the same 401 before Bolt sees it.
 *
 * Everything else (signature, age, body parsing, ssl_check, url_verification, the ack timeout) is
 * Bolt's own code; only the server around it is ours (the bot's one HTTP server, src/http, which
 * hands /slack/events to Bolt with its body unread), so no request reaches Bolt unchecked. Each
 * verified request's signature and timestamp go into the Bolt context, so the command and
 * interaction handlers can tell a replay from a new request (replay.ts).
 */

export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
export const EVENTS_PATH = '/slack/events';

export interface SlackHttpReceiverOptions {
  signingSecret: string;
  boltLogger: BoltLogger;
  log: Logger;
  /** For tests of the time window; Bolt's own age check uses the real clock. */
  now?: () => number;
  /** The server to mount /slack/events on; without one, `start` starts a server of its own. */
  http?: HttpServer;
}

/** True when the request's timestamp is more than 5 minutes ahead of this machine's clock. */
export function isFromTheFuture(req: IncomingMessage, nowMs: number): boolean {
  const header = req.headers['x-slack-request-timestamp'];
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(seconds) && seconds * 1000 - nowMs > MAX_CLOCK_SKEW_MS;
}

export class SlackHttpReceiver implements Receiver {
  private readonly inner: HTTPReceiver;
  private own: HttpServer | undefined;
  private unmount: (() => void) | undefined;
  private readonly now: () => number;

  constructor(private readonly o: SlackHttpReceiverOptions) {
    this.now = o.now ?? Date.now;
    // processBeforeResponse stays false: the ack goes out first, the work follows.
    this.inner = new HTTPReceiver({
      signingSecret: o.signingSecret,
      logger: o.boltLogger,
      endpoints: EVENTS_PATH,
      processBeforeResponse: false,
      // Called only once Bolt verified the signature: a handler can then refuse a replay of it (replay.ts).
      customPropertiesExtractor: (req) => {
        const id = requestIdOf(req.headers);
        return id ? { [REQUEST_PROPERTY]: id } : {};
      },
    });
  }

  init(app: App): void {
    this.inner.init(app);
  }

  /** Mounts on the shared server, or listens on `port` (0 picks a free one; see `port` afterwards). */
  async start(port = 0): Promise<void> {
    const server = this.o.http ?? (this.own = await startHttpServer({ port, log: this.o.log }));
    this.unmount = server.mount(EVENTS_PATH, (req, res) => this.handle(req, res));
  }

  get port(): number | undefined {
    return (this.o.http ?? this.own)?.port;
  }

  async stop(): Promise<void> {
    this.unmount?.();
    this.unmount = undefined;
    const own = this.own;
    this.own = undefined;
    await own?.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (isFromTheFuture(req, this.now())) {
      this.o.log.warn({ path: req.url }, 'slack request rejected: timestamp more than 5 minutes in the future');
      res.writeHead(401).end();
      return;
    }
    try {
      this.inner.requestListener(req, res);
    } catch {
      // Bolt throws for paths and methods it does not serve; that is a 404, not a crash.
      res.writeHead(404).end();
    }
  }
}
