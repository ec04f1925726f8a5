import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The gateway half of FakeDiscord: a WebSocket server that speaks just enough of Discord's
 * gateway for discord.js (v10, JSON, no compression). HELLO on connect, HEARTBEAT_ACK for each
 * heartbeat, READY then one GUILD_CREATE per guild after IDENTIFY, and RESUME with a replay of the
 * dispatches the client missed, as Discord does after a dropped connection. A session belongs to
 * the bot, not to a connection: any client (another process, after a failover) may RESUME it by
 * its id, until a connection of it closes with 1000 or 1001, which ends it as on Discord. Tests
 * can drop the connection, keep the gateway unreachable for a while, or refuse resumes (forcing
 * a re-IDENTIFY), and count how often the bot identified and resumed (`counts`).
 */

/** Gateway intents the fake filters dispatches by (the subset the bot's events need). */
export const INTENT = {
  Guilds: 1 << 0,
  GuildMessages: 1 << 9,
  GuildMessageReactions: 1 << 10,
  DirectMessages: 1 << 12,
  DirectMessageReactions: 1 << 13,
  MessageContent: 1 << 15,
} as const;

interface Dispatch {
  s: number;
  t: string;
  d: unknown;
}

interface Session {
  id: string;
  intents: number;
  /** Every dispatch of the session, sent or waiting: a RESUME replays those after its `seq`. */
  events: Dispatch[];
}

export interface GatewayHooks {
  /** READY's `d` for a new session (user, guilds as unavailable, application, resume URL). */
  ready(sessionId: string): object;
  /** GUILD_CREATE payloads, one per guild, sent right after READY. */
  guilds(): object[];
}

export class FakeGateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private socket: WebSocket | null = null;
  /** The socket that identified or resumed: dispatches go out on it, otherwise they wait. */
  private live: WebSocket | null = null;
  private session: Session | null = null;
  private reachable = true;
  private resumable = true;
  private sessions = 0;
  /** Every op the client sent, in order: tests check IDENTIFY vs RESUME after a drop. */
  readonly received: { op: number; at: number; d?: unknown }[] = [];
  /** What IDENTIFY asked for, to check the bot's intents. */
  identifyIntents: number | null = null;
  /** IDENTIFYs and RESUMEs received, and how the RESUMEs went (RESUMED, or INVALID_SESSION). */
  readonly counts = { identify: 0, resume: 0, resumed: 0, invalidSession: 0 };

  constructor(
    private readonly hooks: GatewayHooks,
    private readonly onChange: () => void,
    private readonly heartbeatMs = 5_000,
    /** False: the bot's developer portal has Message Content Intent switched off. */
    private readonly messageContentAllowed = true,
  ) {}

  /** Called from the HTTP server's `upgrade` event. An unreachable gateway drops the socket. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.reachable) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  /** True while a client is identified or resumed on an open connection. */
  get connected(): boolean {
    return this.live !== null;
  }

  private accept(ws: WebSocket): void {
    this.socket?.terminate();
    this.socket = ws;
    ws.on('message', (raw: Buffer) => this.onMessage(ws, raw));
    ws.on('close', (code: number) => {
      if (this.socket === ws) this.socket = null;
      if (this.live === ws) {
        this.live = null;
        // Discord ends a session whose connection the client closed with 1000 or 1001; any other close keeps it resumable.
        if (code === 1000 || code === 1001) this.session = null;
      }
      this.onChange();
    });
    ws.send(JSON.stringify({ op: 10, s: null, t: null, d: { heartbeat_interval: this.heartbeatMs } }));
  }

  private onMessage(ws: WebSocket, raw: Buffer): void {
    const payload = JSON.parse(raw.toString()) as { op: number; d: Record<string, unknown> | number | null };
    this.received.push({ op: payload.op, at: performance.now(), d: payload.d });
    if (payload.op === 1) ws.send(JSON.stringify({ op: 11, s: null, t: null, d: null }));
    else if (payload.op === 2) this.identify(ws, payload.d as { intents: number });
    else if (payload.op === 6) this.resume(ws, payload.d as { session_id: string; seq: number });
    this.onChange();
  }

  private identify(ws: WebSocket, d: { intents: number }): void {
    this.counts.identify += 1;
    this.identifyIntents = d.intents;
    if (!this.messageContentAllowed && (d.intents & INTENT.MessageContent) !== 0) {
      // What Discord does when a privileged intent is not switched on in the developer portal.
      ws.close(4014, 'Disallowed intent(s).');
      return;
    }
    const id = `session-${++this.sessions}`;
    this.session = { id, intents: d.intents, events: [] };
    this.live = ws;
    this.sendDispatch(ws, 'READY', this.hooks.ready(id));
    for (const guild of this.hooks.guilds()) this.sendDispatch(ws, 'GUILD_CREATE', guild);
  }

  private resume(ws: WebSocket, d: { session_id: string; seq: number }): void {
    this.counts.resume += 1;
    const session = this.session;
    if (!this.resumable || !session || session.id !== d.session_id) {
      this.counts.invalidSession += 1;
      ws.send(JSON.stringify({ op: 9, s: null, t: null, d: false }));
      return;
    }
    for (const e of session.events.filter((x) => x.s > d.seq)) ws.send(JSON.stringify({ op: 0, ...e }));
    this.sendDispatch(ws, 'RESUMED', {});
    this.counts.resumed += 1;
    this.live = ws;
  }

  private sendDispatch(ws: WebSocket, t: string, d: unknown): void {
    const session = this.session;
    if (!session) return;
    const e = { s: session.events.length + 1, t, d };
    session.events.push(e);
    ws.send(JSON.stringify({ op: 0, ...e }));
  }

  /**
   * Sends a dispatch to the bot, if its intents ask for it. While the connection is down the
   * dispatch is kept for the session and replayed on RESUME, as Discord does. Without a session
   * (never identified) it is lost, as it would be.
   */
  dispatch(t: string, d: unknown, needs = 0): boolean {
    const session = this.session;
    if (!session || (session.intents & needs) !== needs) return false;
    if (this.live && this.live.readyState === this.live.OPEN) {
      this.sendDispatch(this.live, t, d);
    } else {
      session.events.push({ s: session.events.length + 1, t, d });
    }
    return true;
  }

  hasIntent(bit: number): boolean {
    return ((this.session?.intents ?? 0) & bit) === bit;
  }

  /** Drops the connection without a close frame (code 1006): discord.js resumes. */
  drop(): void {
    this.socket?.terminate();
    this.socket = null;
    this.live = null;
  }

  /** Makes the gateway unreachable (and drops the connection) until `up()`. */
  down(): void {
    this.reachable = false;
    this.drop();
  }

  up(): void {
    this.reachable = true;
  }

  /** From now on RESUME is answered with INVALID_SESSION, so the client must IDENTIFY again. */
  refuseResume(): void {
    this.resumable = false;
  }

  async close(): Promise<void> {
    this.reachable = false;
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
