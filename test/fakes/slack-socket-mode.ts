import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { FakeSlack } from './fake-slack.js';

/**
 * Slack's Socket Mode side for FakeSlack. `apps.connections.open` (on FakeSlack's Web API, with
 * the app-level xapp- token) hands out a one-use `ws://127.0.0.1:<port>/link/?ticket=…` URL; a
 * connection to it gets `hello`, then envelopes `{ envelope_id, type, payload,
 * accepts_response_payload }` that the app must ack with `{ envelope_id, payload }` on the same
 * socket. Payloads are what Slack would POST in HTTP mode, as objects. `drop()` cuts the
 * connection as a network failure would; the client is expected to ask for a new URL.
 */

export const FAKE_APP_TOKEN = 'xapp-test';
const APP_ID = 'A0FAKEAPP';
/** Slack's own deadline for an ack before it retries or shows the user an error. */
const ACK_DEADLINE_MS = 3000;

export type EnvelopeType = 'slash_commands' | 'events_api' | 'interactive';

export interface SocketAck {
  envelopeId: string;
  /** What the app put in the ack (`{}` for a bare ack()). */
  payload: Record<string, unknown> | undefined;
  /** performance.now() when the envelope went out and when its ack arrived. */
  sentAt: number;
  at: number;
}

export interface SocketConnection {
  ticket: string;
  openedAt: number;
  closedAt?: number;
}

interface Pending {
  sentAt: number;
  resolve: (ack: SocketAck) => void;
}

export class FakeSocketMode {
  /** Every accepted WebSocket connection, in order. */
  readonly connections: SocketConnection[] = [];
  /** Every ack, in the order they arrived. */
  readonly acks: SocketAck[] = [];
  /** Messages from the app that were not acks of an envelope we sent. */
  readonly strays: unknown[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  private socket: WebSocket | null = null;
  private envelopeSeq = 0;
  private eventSeq = 0;

  private constructor(
    private readonly server: Server,
    private readonly fake: FakeSlack,
    readonly appToken: string,
  ) {}

  /** Starts the WebSocket endpoint and makes `fake` answer apps.connections.open with its URLs. */
  static async start(fake: FakeSlack, appToken = FAKE_APP_TOKEN): Promise<FakeSocketMode> {
    const server = createServer((_req, res) => res.writeHead(426).end());
    const sm = new FakeSocketMode(server, fake, appToken);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => sm.upgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.route('apps.connections.open', (token) => {
      if (token === appToken) return { ok: true, url: sm.issueUrl() };
      // Slack refuses a bot token here with this code.
      return { ok: false, error: token.startsWith('xoxb-') ? 'not_allowed_token_type' : 'invalid_auth' };
    });
    return sm;
  }

  /** True while an app is connected (it was sent `hello` and the socket is open). */
  get connected(): boolean {
    return this.socket !== null;
  }

  /** Resolves once `count` connections have been made in all and one is open now. */
  waitForConnection(count = 1, timeoutMs = 10_000): Promise<SocketConnection> {
    return this.fake.waitFor(() => this.connections.length >= count && this.socket && this.connections.at(-1), `Socket Mode connection #${count}`, timeoutMs);
  }

  /**
   * Sends one envelope on the open connection and resolves with its ack; rejects if none comes
   * within Slack's 3 s (or `ackTimeoutMs`), or if no app is connected.
   */
  send(type: EnvelopeType, payload: object, o: { retryAttempt?: number; ackTimeoutMs?: number } = {}): Promise<SocketAck> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error('FakeSocketMode: no app is connected'));
    const envelopeId = `env-${++this.envelopeSeq}-${randomUUID()}`;
    const envelope = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      ...(type === 'events_api' ? { retry_attempt: o.retryAttempt ?? 0, retry_reason: o.retryAttempt ? 'timeout' : '' } : {}),
    };
    return new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(new Error(`FakeSocketMode: no ack for ${type} envelope ${envelopeId} within ${o.ackTimeoutMs ?? ACK_DEADLINE_MS} ms`));
      }, o.ackTimeoutMs ?? ACK_DEADLINE_MS);
      const sentAt = performance.now();
      this.pending.set(envelopeId, {
        sentAt,
        resolve: (ack) => {
          clearTimeout(timer);
          resolve(ack);
        },
      });
      socket.send(JSON.stringify(envelope));
    });
  }

  /** `/incident <text>` as a slash_commands envelope; answers go to the returned response_url. */
  async command(text: string, o: { user: string; channel: string; userName?: string }): Promise<SocketAck & { responseUrl: string; triggerId: string }> {
    const responseUrl = this.fake.responseUrl();
    const triggerId = this.fake.triggerId();
    const ack = await this.send('slash_commands', {
      token: 'legacy-verification-token',
      team_id: this.fake.workspace.teamId,
      team_domain: 'fake',
      channel_id: o.channel,
      channel_name: o.channel.toLowerCase(),
      user_id: o.user,
      user_name: o.userName ?? o.user.toLowerCase(),
      command: '/incident',
      text,
      api_app_id: APP_ID,
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: triggerId,
    });
    return { ...ack, responseUrl, triggerId };
  }

  /** An Events API callback in an events_api envelope; a redelivery reuses `eventId` with a `retryAttempt`. */
  async event(event: Record<string, unknown>, o: { eventId?: string; retryAttempt?: number } = {}): Promise<SocketAck & { eventId: string }> {
    const eventId = o.eventId ?? `EvSM${String(++this.eventSeq).padStart(8, '0')}`;
    const teamId = this.fake.workspace.teamId;
    const payload = {
      token: 'legacy-verification-token',
      team_id: teamId,
      api_app_id: APP_ID,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: teamId, user_id: this.fake.workspace.botUserId, is_bot: true }],
      event,
    };
    return { ...(await this.send('events_api', payload, o.retryAttempt ? { retryAttempt: o.retryAttempt } : {})), eventId };
  }

  message(m: { user: string; channel: string; text: string; ts?: string }, o: { eventId?: string; retryAttempt?: number } = {}) {
    const ts = m.ts ?? this.fake.workspace.nextTs();
    return this.event({ type: 'message', channel: m.channel, user: m.user, text: m.text, ts, event_ts: ts, channel_type: 'channel' }, o);
  }

  /** Cuts the open connection without a close frame, as a network failure or a recycled Slack host would. */
  drop(): void {
    this.socket?.terminate();
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.wss.close();
  }

  private issueUrl(): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/link/?ticket=${ticket}&app_id=${APP_ID}`;
  }

  /** Only a URL from apps.connections.open opens a connection, and only once. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, ticket));
  }

  private accept(ws: WebSocket, ticket: string): void {
    const connection: SocketConnection = { ticket, openedAt: performance.now() };
    this.connections.push(connection);
    this.socket?.terminate();
    this.socket = ws;
    ws.on('message', (data: RawData) => this.receive(data));
    ws.on('close', () => {
      connection.closedAt = performance.now();
      if (this.socket === ws) this.socket = null;
    });
    ws.on('error', () => undefined);
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake-slack', approximate_connection_time: 3600 }, connection_info: { app_id: APP_ID } }));
  }

  private receive(data: RawData): void {
    const at = performance.now();
    const raw = (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
    let message: { envelope_id?: unknown; payload?: Record<string, unknown> };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      this.strays.push(raw);
      return;
    }
    const id = typeof message.envelope_id === 'string' ? message.envelope_id : undefined;
    const pending = id ? this.pending.get(id) : undefined;
    if (!id || !pending) {
      this.strays.push(message);
      return;
    }
    this.pending.delete(id);
    const ack: SocketAck = { envelopeId: id, payload: message.payload, sentAt: pending.sentAt, at };
    this.acks.push(ack);
    pending.resolve(ack);
  }
}
