import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { INTENT, type FakeGateway } from './fake-discord-gateway.js';
import { channelPayload, guildPayload, memberPayload, messagePayload, userPayload, type FakeAttachment, type FakeChannel, type FakeMessage, type Overwrite } from './fake-discord-payloads.js';
import type { FakeDiscordState, InteractionRecord } from './fake-discord-state.js';
import { multipart, type UploadedPart } from './fake-discord-multipart.js';

export type { UploadedPart } from './fake-discord-multipart.js';

/**
 * The REST half of FakeDiscord: the routes the bot uses, under `/api/v10`, answering as Discord
 * does. 204 answers carry no body and no JSON content-type (discord.js would try to parse one).
 * Faults (429 with Retry-After and rate-limit headers, 5xx, 403) and delays are injected per
 * route for a number of calls.
 */

export interface RecordedRequest {
  method: string;
  /** Path after `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** Files of a multipart/form-data request (`files[n]` parts), with their bytes. */
  files?: UploadedPart[];
  /** When it arrived, in `performance.now()` milliseconds (as every time the fake records). */
  at: number;
  status?: number;
}

export interface Fault {
  method?: string;
  path: RegExp;
  status: 429 | 500 | 502 | 403 | 404;
  /** Seconds, for 429 (Retry-After header and `retry_after` in the body). */
  retryAfterS?: number;
  /** Discord's JSON error code, e.g. 50013 Missing Permissions, 50001 Missing Access. */
  code?: number;
  times: number;
  /** Narrows the fault further, e.g. to DM channels only. */
  when?: (req: RecordedRequest) => boolean;
}

export interface Delay {
  method?: string;
  path: RegExp;
  ms: number;
}

type Json = Record<string, unknown>;
type Answer = { status: number; json?: unknown };
type Route = [method: string, path: RegExp, handler: (p: string[], req: RecordedRequest) => Answer];

/** A guild text channel's topic limit. */
const TOPIC_LIMIT = 1024;
const ok = (json: unknown): Answer => ({ status: 200, json });
const noContent: Answer = { status: 204 };
const notFound = (message: string, code: number): Answer => ({ status: 404, json: { message, code } });

export class FakeRest {
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  readonly delays: Delay[] = [];
  private readonly routes: Route[];

  constructor(
    private readonly s: FakeDiscordState,
    private readonly gateway: FakeGateway,
    private readonly gatewayUrl: () => string,
    private readonly onChange: () => void,
  ) {
    this.routes = [
      ['GET', /^\/gateway\/bot$/, () => ok({ url: this.gatewayUrl(), shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } })],
      ['GET', /^\/users\/@me$/, () => ok(userPayload(s.bot))],
      ['GET', /^\/users\/@me\/guilds$/, () => ok([...s.guilds.values()].map((g) => ({ id: g.id, name: g.name, icon: null, owner: false, permissions: '8', features: [] })))],
      ['GET', /^\/users\/(\d+)$/, ([id]) => (s.users.has(id ?? '') ? ok(userPayload(s.user(id ?? ''))) : notFound('Unknown User', 10013))],
      ['POST', /^\/users\/@me\/channels$/, (_, r) => ok(channelPayload(s.dmChannel(String(r.body.recipient_id))))],
      ['PUT', /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/, (p, r) => this.putCommands(p[1] ?? '', r.body)],
      ['GET', /^\/guilds\/(\d+)$/, ([g]) => this.guild(g ?? '')],
      ['GET', /^\/guilds\/(\d+)\/channels$/, ([g]) => ok(s.guildChannels(g ?? '').map(channelPayload))],
      ['POST', /^\/guilds\/(\d+)\/channels$/, ([g], r) => this.createChannel(g ?? '', r.body)],
      ['GET', /^\/guilds\/(\d+)\/members\/(\d+)$/, ([, u]) => (s.users.has(u ?? '') ? ok(memberPayload(s.user(u ?? ''))) : notFound('Unknown Member', 10007))],
      ['GET', /^\/channels\/(\d+)$/, ([c]) => (s.channels.has(c ?? '') ? ok(channelPayload(s.channel(c ?? ''))) : notFound('Unknown Channel', 10003))],
      ['PATCH', /^\/channels\/(\d+)$/, ([c], r) => this.editChannel(c ?? '', r.body)],
      ['PUT', /^\/channels\/(\d+)\/permissions\/(\d+)$/, ([c, id], r) => this.overwrite(c ?? '', id ?? '', r.body)],
      ['POST', /^\/channels\/(\d+)\/messages$/, ([c], r) => this.post(c ?? '', r.body, r.files)],
      ['GET', /^\/channels\/(\d+)\/messages\/(\d+)$/, ([, m]) => (s.messages.has(m ?? '') ? ok(messagePayload(s.message(m ?? ''))) : notFound('Unknown Message', 10008))],
      ['PATCH', /^\/channels\/(\d+)\/messages\/(\d+)$/, ([, m], r) => ok(messagePayload(this.edit(s.message(m ?? ''), r.body)))],
      ['PUT', /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)\/@me$/, ([, m, e]) => this.botReacts(m ?? '', e ?? '')],
      // discord.js 14.28 pins on the newer route; Discord still answers the older one the same way.
      ['PUT', /^\/channels\/(\d+)\/messages\/pins\/(\d+)$/, ([c, m]) => this.pin(c ?? '', m ?? '')],
      ['PUT', /^\/channels\/(\d+)\/pins\/(\d+)$/, ([c, m]) => this.pin(c ?? '', m ?? '')],
      ['POST', /^\/interactions\/(\d+)\/([^/]+)\/callback$/, ([, t], r) => this.callback(t ?? '', r)],
      ['PATCH', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/, ([, t], r) => this.editOriginal(t ?? '', r.body)],
      ['DELETE', /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/, ([, t]) => this.deleteOriginal(t ?? '')],
      ['POST', /^\/webhooks\/(\d+)\/([^/]+)$/, ([, t], r) => this.followup(t ?? '', r.body)],
    ];
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const text = raw.toString();
    const contentType = String(req.headers['content-type']);
    const form = contentType.includes('multipart/form-data') ? await multipart(raw, contentType) : null;
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname).replace(/^\/api\/v\d+/, ''),
      query: url.searchParams,
      body: form ? form.body : text && contentType.includes('json') ? (JSON.parse(text) as Json) : {},
      ...(form ? { files: form.files } : {}),
      at: performance.now(),
    };
    this.requests.push(rec);
    const delay = this.delays.find((d) => (!d.method || d.method === rec.method) && d.path.test(rec.path));
    if (delay) await sleep(delay.ms);
    const answer = this.fault(rec) ?? this.route(rec);
    rec.status = answer.status;
    if (answer.status === 429) {
      const retry = String((answer.json as { retry_after: number }).retry_after);
      res.setHeader('Retry-After', retry);
      res.setHeader('X-RateLimit-Limit', '5');
      res.setHeader('X-RateLimit-Remaining', '0');
      res.setHeader('X-RateLimit-Reset-After', retry);
      res.setHeader('X-RateLimit-Scope', 'user');
    }
    if (answer.json === undefined) {
      res.writeHead(answer.status).end();
    } else {
      res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.json));
    }
    this.onChange();
  }

  private fault(rec: RecordedRequest): Answer | null {
    const f = this.faults.find((x) => x.times > 0 && (!x.method || x.method === rec.method) && x.path.test(rec.path) && (!x.when || x.when(rec)));
    if (!f) return null;
    f.times -= 1;
    if (f.status === 429) return { status: 429, json: { message: 'You are being rate limited.', retry_after: f.retryAfterS ?? 1, global: false } };
    if (f.status >= 500) return { status: f.status, json: { message: 'Internal Server Error', code: 0 } };
    const message = f.code === 50001 ? 'Missing Access' : f.code === 50007 ? 'Cannot send messages to this user' : f.code === 10003 ? 'Unknown Channel' : 'Missing Permissions';
    return { status: f.status, json: { message, code: f.code ?? 50013 } };
  }

  private route(rec: RecordedRequest): Answer {
    for (const [method, path, handler] of this.routes) {
      const m = method === rec.method ? path.exec(rec.path) : null;
      if (!m) continue;
      try {
        return handler(m.slice(1), rec);
      } catch (err) {
        return notFound((err as Error).message, 10003);
      }
    }
    return notFound(`fake discord has no route ${rec.method} ${rec.path}`, 0);
  }

  private guild(id: string): Answer {
    const g = this.s.guilds.get(id);
    if (!g) return notFound('Unknown Guild', 10004);
    // GET /guilds/:id carries neither channels nor members (those come with GUILD_CREATE).
    return ok({ ...guildPayload(g, [], []), channels: undefined, members: undefined });
  }

  private putCommands(guildId: string, body: unknown): Answer {
    const list = (Array.isArray(body) ? body : []) as Json[];
    const saved = list.map((c) => ({ ...c, id: this.s.snowflake(), application_id: this.s.applicationId, guild_id: guildId, version: '1' }));
    this.s.commands.set(guildId, saved);
    return ok(saved);
  }

  private createChannel(guildId: string, body: Json): Answer {
    const channel = this.s.addChannel({
      type: (body.type as 0 | 4 | undefined) ?? 0,
      guild_id: guildId,
      name: String(body.name),
      topic: (body.topic as string | undefined) ?? null,
      parent_id: (body.parent_id as string | undefined) ?? null,
      permission_overwrites: ((body.permission_overwrites as Overwrite[] | undefined) ?? []).map((o) => ({ ...o, allow: String(o.allow ?? '0'), deny: String(o.deny ?? '0') })),
    });
    this.gateway.dispatch('CHANNEL_CREATE', channelPayload(channel), INTENT.Guilds);
    return { status: 201, json: channelPayload(channel) };
  }

  private overwrite(channelId: string, id: string, body: Json): Answer {
    const channel = this.s.channel(channelId);
    const next: Overwrite = { id, type: body.type as 0 | 1, allow: String(body.allow ?? '0'), deny: String(body.deny ?? '0') };
    channel.permission_overwrites = [...channel.permission_overwrites.filter((o) => o.id !== id), next];
    this.channelChanged(channel);
    return noContent;
  }

  /** PATCH /channels/:id (name, topic, parent...); a text channel's topic over 1024 characters is refused as Discord does. */
  private editChannel(channelId: string, body: Json): Answer {
    const channel = this.s.channel(channelId);
    if (typeof body.topic === 'string' && body.topic.length > TOPIC_LIMIT) {
      return { status: 400, json: { message: 'Invalid Form Body', code: 50035, errors: { topic: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${TOPIC_LIMIT} or fewer in length.` }] } } } };
    }
    return this.channelChanged(Object.assign(channel, body));
  }

  /** Discord tells the gateway about every channel change; discord.js keeps its cache from that. */
  private channelChanged(channel: FakeChannel): Answer {
    this.gateway.dispatch('CHANNEL_UPDATE', channelPayload(channel), INTENT.Guilds);
    return ok(channelPayload(channel));
  }

  /** A message, with the attachments `payload_json` names (`{ id: n }` → part `files[n]`), as Discord stores them. */
  private post(channelId: string, body: Json, files: UploadedPart[] = []): Answer {
    const declared = (Array.isArray(body.attachments) ? body.attachments : []) as { id?: unknown; filename?: string; description?: string }[];
    const attachments: FakeAttachment[] = files.map((part, n) => {
      const meta = declared.find((a) => String(a.id) === String(n)) ?? {};
      return { id: this.s.snowflake(), filename: meta.filename ?? part.filename, content_type: part.contentType, size: part.data.length, ...(meta.description ? { description: meta.description } : {}), data: part.data };
    });
    const message = this.s.addMessage(channelId, this.s.bot, { ...(body as Partial<FakeMessage>), attachments });
    const intent = message.guild_id ? INTENT.GuildMessages : INTENT.DirectMessages;
    this.gateway.dispatch('MESSAGE_CREATE', messagePayload(message), intent);
    return ok(messagePayload(message));
  }

  private edit(message: FakeMessage, body: Json): FakeMessage {
    for (const key of ['content', 'embeds', 'components'] as const) if (key in body) Object.assign(message, { [key]: body[key] });
    message.edited_timestamp = this.s.time();
    return message;
  }

  private botReacts(messageId: string, emoji: string): Answer {
    this.s.reactions.set(messageId, [...(this.s.reactions.get(messageId) ?? []), { emoji, userId: this.s.bot.id }]);
    return noContent;
  }

  /** Pinning a pinned message again is a 204 too, as on Discord; a message of another channel is Unknown Message. */
  private pin(channelId: string, messageId: string): Answer {
    const channel = this.s.channel(channelId);
    const message = this.s.messages.get(messageId);
    if (!message || message.channel_id !== channelId || this.s.deletedMessages.has(messageId)) return notFound('Unknown Message', 10008);
    const pinned = this.s.pins.get(channelId) ?? [];
    if (pinned.includes(messageId)) return noContent;
    this.s.pins.set(channelId, [...pinned, messageId]);
    const payload = { channel_id: channelId, last_pin_timestamp: this.s.time(), ...(channel.guild_id ? { guild_id: channel.guild_id } : {}) };
    this.gateway.dispatch('CHANNEL_PINS_UPDATE', payload, channel.guild_id ? INTENT.Guilds : INTENT.DirectMessages);
    return noContent;
  }

  private interaction(token: string): InteractionRecord {
    const i = this.s.interactions.get(token);
    if (!i) throw new Error('Unknown interaction');
    return i;
  }

  private callback(token: string, rec: RecordedRequest): Answer {
    const i = this.interaction(token);
    if (i.callbackAt !== undefined) return { status: 400, json: { message: 'Interaction has already been acknowledged.', code: 40060 } };
    const data = (rec.body.data ?? {}) as Json;
    i.callbackAt = rec.at;
    i.callbackType = Number(rec.body.type);
    i.ephemeral = (Number(data.flags ?? 0) & 64) === 64;
    if (i.callbackType === 4) i.original = this.webhookMessage(i, data, i.ephemeral);
    if (i.callbackType === 9) i.modal = data;
    return rec.query.get('with_response') === 'true' ? ok({ interaction: { id: i.id, type: 2 } }) : noContent;
  }

  private webhookMessage(i: InteractionRecord, body: Json, ephemeral: boolean): FakeMessage {
    const m = this.s.addMessage(i.channelId, this.s.bot, { ...(body as Partial<FakeMessage>), flags: ephemeral ? 64 : 0 });
    // Ephemeral answers are not channel messages anyone else sees: keep them out of the channel.
    if (ephemeral) this.s.deletedMessages.add(m.id);
    return m;
  }

  private editOriginal(token: string, body: Json): Answer {
    const i = this.interaction(token);
    i.webhookCalls.push({ kind: 'edit', at: performance.now() });
    i.original ??= this.webhookMessage(i, {}, i.ephemeral ?? false);
    return ok(messagePayload(this.edit(i.original, body)));
  }

  private deleteOriginal(token: string): Answer {
    const i = this.interaction(token);
    i.webhookCalls.push({ kind: 'delete', at: performance.now() });
    if (i.original) this.s.deletedMessages.add(i.original.id);
    i.original = null;
    return noContent;
  }

  private followup(token: string, body: Json): Answer {
    const i = this.interaction(token);
    i.webhookCalls.push({ kind: 'followup', at: performance.now() });
    const m = this.webhookMessage(i, body, (Number(body.flags ?? 0) & 64) === 64);
    i.followups.push(m);
    return ok(messagePayload(m));
  }
}
