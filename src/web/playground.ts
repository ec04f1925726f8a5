import type { FastifyReply, FastifyRequest } from 'fastify';
import { commands } from '../../commands/index.js';
import type { Deps } from '../app/context.js';
import type { LocalChange, LocalWorkspace } from '../adapters/local/local-workspace.js';
import { findButton, press, react, runCommand, sendMessage, showError, type LocalBot, type LocalSeat } from '../adapters/local/seat.js';
import type { PageContext, RegisterRoutes } from './context.js';
import type { WebMessageKey } from './i18n/index.js';
import { STREAM_MAX_MS, sseMessage, streamOwner } from './incident-live.js';
import { layout } from './layout.js';
import { PICKER_EMOJI, PlaygroundState } from './playground-state.js';
import { conversationHtml, demoHtml, errorBody, pageHref, playgroundBody, sidebarHtml, type ViewContext } from './playground-view.js';

/**
 * The browser playground (issue 14, point 6): the local workspace the terminal drives, in a
 * page. GET /playground shows a conversation (`?c=<channel>&as=<person>`); the forms post what a
 * person does (say, react, press, play the demo) through the same functions as the terminal
 * (src/adapters/local/seat.ts); GET /playground/events pushes the changed parts over SSE.
 * A form posted without JavaScript is answered with a redirect back (303); with
 * `accept: application/json` (src/web/static/playground.js), with JSON.
 */

export interface PlaygroundOptions {
  chat: LocalWorkspace;
  deps: Deps;
  /** LOCAL_USER: who the page acts as at first. */
  localUser: string;
  /** Plays the sale-day demo in `chat` (src/web/playground-demo.ts), saying each step; none, no demo. */
  demo?: (say: (line: string) => void) => Promise<void>;
}

/** Longest message the box takes (the bot's own limits are tighter for most fields). */
export const MAX_TEXT = 2000;
const PART = ['sidebar', 'conversation', 'demo'] as const;
type Part = (typeof PART)[number];

interface Stream {
  user: string;
  channel: string;
  ctx: PageContext;
  dirty: Set<Part>;
  scheduled: boolean;
  write(chunk: string): void;
}

class Refused extends Error {
  constructor(readonly key: WebMessageKey) {
    super(key);
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const wantsJson = (req: FastifyRequest) => (req.headers.accept ?? '').includes('application/json');

export function playgroundRoutes(o: PlaygroundOptions): RegisterRoutes {
  return (app, web) => {
    const bot: LocalBot = { deps: o.deps, workspace: o.chat, commands };
    const state = new PlaygroundState(o.chat);
    const streams = web.live;
    const subscribers = new Set<Stream>();
    let demoOutcome: 'done' | 'failed' | undefined;

    const people = () => state.people(o.localUser, o.deps.config);
    const pagesNobody = o.deps.config.policies.length === 0;
    const view = (ctx: ViewContext['ctx'], user: string, channel: string): ViewContext => ({ ctx, user, channel, channelName: (id) => o.chat.channels.get(id)?.name ?? id, pagesNobody });
    const conversation = (v: ViewContext) => conversationHtml({ items: state.conversation(v.user, v.channel), topic: o.chat.channels.get(v.channel)?.topic ?? '' }, v);
    const demoModel = () => (o.demo ? { running: state.demoRunning, log: state.demoLog, ...(demoOutcome ? { outcome: demoOutcome } : {}) } : undefined);

    const render = (s: Stream, part: Part): string => {
      const v = view(s.ctx, s.user, s.channel);
      if (part === 'sidebar') return sidebarHtml(state.channelList(s.user), v, state.unseenDms(people())).value;
      if (part === 'conversation') return conversation(v).value;
      const demo = demoModel();
      return demo ? demoHtml(demo, v).value : '';
    };
    const mark = (s: Stream, part: Part) => {
      s.dirty.add(part);
      if (s.scheduled) return;
      s.scheduled = true;
      // A command changes many things at once: one push per part for the lot.
      setImmediate(() => {
        s.scheduled = false;
        for (const p of PART) if (s.dirty.has(p)) s.write(`event: ${p}\n${sseMessage(render(s, p))}`);
        s.dirty.clear();
      });
    };
    /** The channels the demo made in this run, each followed once by every open page. */
    const demoChannels = new Set<string>();
    const onChange = (c: LocalChange) => {
      state.observe(c);
      // The demo's incident channel: every open page goes there, to watch the story told.
      if (state.demoRunning && c.kind === 'invite' && !c.channelId.startsWith('dm-') && !demoChannels.has(c.channelId)) {
        demoChannels.add(c.channelId);
        for (const s of subscribers) if (s.channel !== c.channelId && state.channelVisible(s.user, c.channelId)) s.write(`event: follow\n${sseMessage(pageHref(c.channelId, s.user))}`);
      }
      // Someone's DM got a message: seen at once by whoever has it open, else news in every sidebar.
      const dm = c.kind === 'message' && c.channelId.startsWith('dm-') ? c.channelId.slice(3) : undefined;
      if (dm !== undefined && [...subscribers].some((s) => s.user === dm && s.channel === c.channelId)) state.markDmSeen(dm);
      for (const s of subscribers) {
        if (c.kind === 'channel' || c.kind === 'invite' || dm !== undefined) mark(s, 'sidebar');
        if (c.channelId === s.channel) mark(s, 'conversation');
        // Follow the person into a channel the bot invited them to, as the terminal does.
        if (c.kind === 'invite' && c.userIds.includes(s.user) && c.channelId !== s.channel) s.write(`event: follow\n${sseMessage(pageHref(c.channelId, s.user))}`);
      }
    };
    const unsubscribe = o.chat.onChange(onChange);
    app.addHook('preClose', async () => {
      unsubscribe();
      streams.stopAll();
    });

    /** The person a form acts as: one of the switcher's people. */
    const personOf = (body: Record<string, unknown>): string => {
      const user = str(body.user)?.toLowerCase();
      if (!user || !people().includes(user)) throw new Refused('playground.error.user');
      return user;
    };
    const channelOf = (user: string, value: unknown): string => {
      const channel = str(value);
      if (!channel || !state.channelVisible(user, channel)) throw new Refused('playground.error.channel');
      return channel;
    };
    const messageOf = (user: string, channel: string, value: unknown) => {
      const msg = o.chat.messages.get(str(value) ?? '');
      if (!msg || msg.channelId !== channel || !state.messageVisible(user, msg)) throw new Refused('playground.error.message');
      return msg;
    };

    /** Runs what a person does, following them into a channel they are invited to meanwhile; returns where they are after. */
    const acting = async (user: string, channel: string, line: string, run: (seat: LocalSeat) => Promise<unknown>): Promise<string> => {
      const place = { user, channel };
      const seat: LocalSeat = () => place;
      const stop = o.chat.onChange((c) => {
        if (c.kind === 'invite' && c.userIds.includes(user) && c.channelId !== place.channel) place.channel = c.channelId;
      });
      try {
        await run(seat);
      } catch (err) {
        showError(bot, seat, err, line);
      } finally {
        stop();
      }
      return place.channel;
    };

    const answer = (req: FastifyRequest, reply: FastifyReply, channel: string, user: string) =>
      wantsJson(req) ? reply.send({ ok: true, url: pageHref(channel, user) }) : reply.redirect(pageHref(channel, user), 303);

    /** A POST route whose refusals (Refused) are a 400 with the sentence, as JSON or as a short page. */
    const post = (path: string, handle: (body: Record<string, unknown>, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
      app.post(path, { preValidation: app.csrfProtection }, async (req, reply) => {
        const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
        try {
          return await handle(body, req, reply);
        } catch (err) {
          if (!(err instanceof Refused)) throw err;
          const ctx = web.page(req);
          const sentence = ctx.t(err.key, { max: MAX_TEXT });
          const user = str(body.user)?.toLowerCase() ?? o.localUser;
          const back = pageHref(str(body.channel) ?? 'general', people().includes(user) ? user : o.localUser);
          if (wantsJson(req)) return reply.code(err.key === 'playground.error.demo_busy' ? 409 : 400).send({ error: sentence });
          return reply.code(400).type('text/html; charset=utf-8').send(layout(ctx, ctx.t('playground.error.title'), errorBody(ctx.t, sentence, back)));
        }
      });

    app.get('/playground', async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const ctx = web.page(req);
      const asked = str(q.as)?.toLowerCase();
      const user = asked && people().includes(asked) ? asked : o.localUser.toLowerCase();
      const wanted = str(q.c);
      // A link from before a restart names a channel the workspace no longer has: show #general.
      const channel = wanted && state.channelVisible(user, wanted) ? wanted : 'general';
      const v = view(ctx, user, channel);
      if (channel === `dm-${user}`) state.markDmSeen(user);
      const model = {
        ...v,
        people: people(),
        channels: state.channelList(user),
        topic: o.chat.channels.get(channel)?.topic ?? '',
        items: state.conversation(user, channel),
        demo: demoModel(),
        maxText: MAX_TEXT,
        unseen: state.unseenDms(people()),
      };
      return reply.type('text/html; charset=utf-8').send(layout(ctx, ctx.t('playground.title'), playgroundBody(model), { wide: true }));
    });

    app.get('/playground/events', async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const user = str(q.as)?.toLowerCase();
      const channel = str(q.c);
      if (!user || !people().includes(user) || !channel || !state.channelVisible(user, channel)) {
        return reply.code(400).type('text/plain; charset=utf-8').send(web.page(req).t(user && people().includes(user) ? 'playground.error.channel' : 'playground.error.user'));
      }
      const ctx = web.page(req);
      const res = reply.raw;
      const stream: Stream = { user, channel, ctx, dirty: new Set(), scheduled: false, write: (chunk) => void (res.writableEnded || res.write(chunk)) };
      const keepAlive = setInterval(() => stream.write(': keep-alive\n\n'), 20_000);
      keepAlive.unref();
      // Reconnecting goes through the session check again (see STREAM_MAX_MS).
      const lifetime = setTimeout(() => stop(), STREAM_MAX_MS);
      lifetime.unref();
      const stop = () => {
        clearInterval(keepAlive);
        clearTimeout(lifetime);
        subscribers.delete(stream);
        release?.();
        if (!res.writableEnded) res.end();
      };
      const release = streams.add(stop, streamOwner(req));
      if (!release) return reply.code(503).header('retry-after', '30').type('text/plain; charset=utf-8').send('too many live pages open');
      reply.hijack();
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no', connection: 'keep-alive' });
      res.write('retry: 3000\n\n');
      subscribers.add(stream);
      req.raw.on('close', stop);
    });

    post('/playground/say', async (body, req, reply) => {
      const user = personOf(body);
      const channel = channelOf(user, body.channel);
      const line = (str(body.text) ?? '').trim();
      if (!line || line.length > MAX_TEXT) throw new Refused('playground.error.text');
      const command = /^\/incident(\s|$)/i.test(line);
      if (!command && line.startsWith('/')) throw new Refused('playground.error.meta');
      const now = await acting(user, channel, line, (seat) => (command ? runCommand(bot, seat, line.replace(/^\/incident\s*/i, '')) : sendMessage(bot, seat, line)));
      return answer(req, reply, now, user);
    });

    post('/playground/react', async (body, req, reply) => {
      const user = personOf(body);
      const channel = channelOf(user, body.channel);
      const target = messageOf(user, channel, body.messageId);
      const emoji = str(body.emoji) ?? '';
      if (!(PICKER_EMOJI as readonly string[]).includes(emoji)) throw new Refused('playground.error.emoji');
      const now = await acting(user, channel, `/react ${target.id} ${emoji}`, (seat) => react(bot, seat, target, emoji));
      return answer(req, reply, now, user);
    });

    post('/playground/press', async (body, req, reply) => {
      const user = personOf(body);
      const channel = channelOf(user, body.channel);
      const target = messageOf(user, channel, body.messageId);
      const wanted = str(body.action) ?? '';
      const found = findButton(o.chat, target.id, wanted);
      if ('missing' in found || found.action.id !== wanted) throw new Refused('playground.error.button');
      const now = await acting(user, channel, `/press ${target.id} ${wanted}`, (seat) => press(bot, seat, found.action));
      return answer(req, reply, now, user);
    });

    post('/playground/demo', async (body, req, reply) => {
      if (!o.demo) return reply.callNotFound();
      const user = personOf(body);
      const channel = channelOf(user, body.channel);
      if (state.demoRunning) throw new Refused('playground.error.demo_busy');
      state.demoRunning = true;
      demoChannels.clear();
      state.demoLog.length = 0;
      demoOutcome = undefined;
      const changed = () => subscribers.forEach((s) => mark(s, 'demo'));
      changed();
      void o
        .demo((line) => {
          state.demoLine(line);
          changed();
        })
        .then(
          () => (demoOutcome = 'done'),
          (err: Error) => {
            demoOutcome = 'failed';
            o.deps.log.error({ err: err.message }, 'playground demo failed');
          },
        )
        .finally(() => {
          state.demoRunning = false;
          changed();
        });
      return answer(req, reply, channel, user);
    });
  };
}
