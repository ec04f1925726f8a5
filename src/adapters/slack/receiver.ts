import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPReceiver, type App, type Logger as BoltLogger, type Receiver } from '@slack/bolt';
import type { Logger } from '../../core/ports.js';
import { REQUEST_PROPERTY, requestIdOf } from './replay.js';

/**
 * Bolt's HTTPReceiver behind one extra check. Bolt verifies the signature and rejects requests
 * older than 5 minutes, but accepts any timestamp in the future: a signed request stamped an
 * hour ahead (a sender with a wrong clock, or a request prepared in advance) would stay
 * replayable for an hour and five minutes. The window should be the same both ways, so a
 * request stamped more than 5 minutes ahead gets the same 401 before Bolt sees it.
 *
 * Everything else (signature, age, body parsing, ssl_check, url_verification, the ack timeout) is
 * Bolt's own code; only the server around it is ours, so no request reaches Bolt unchecked. Each
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
}

/** True when the request's timestamp is more than 5 minutes ahead of this machine's clock. */
export function isFromTheFuture(req: IncomingMessage, nowMs: number): boolean {
  const header = req.headers['x-slack-request-timestamp'];
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(seconds) && seconds * 1000 - nowMs > MAX_CLOCK_SKEW_MS;
}

export class SlackHttpReceiver implements Receiver {
  private readonly inner: HTTPReceiver;
  private server: Server | undefined;
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

  /** Listens on `port` (0 picks a free one; see `port` afterwards). */
  start(port: number): Promise<Server> {
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }

  get port(): number | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? (address as AddressInfo).port : undefined;
  }

  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
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
      // Bolt throws for paths it does not serve; that is a 404, not a crash.
      res.writeHead(404).end();
    }
  }
}
