import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../app/context.js';
import type { Incident, IncidentKey } from '../core/model.js';

/**
 * The live timeline of an incident's page over Server-Sent Events: each open stream polls the
 * store (one `get` a second) and, when the incident's version moved, sends the timeline's HTML
 * again (src/web/static/app.js puts it in the page). Streams are counted per process: beyond
 * the cap a new one is answered 503, and the browser's EventSource retries later.
 */

/** One SSE message carrying `markup`: every line its own `data:` line (a newline in the data would end the field). */
export function sseMessage(markup: string): string {
  return `${markup
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

/**
 * The open streams of a process: at most `max` at once, and at most `perOwner` for one owner (a
 * session id), so one browser cannot take every stream. `stopOwner` ends an owner's streams (at
 * sign-out: a stream opened before must not go on showing what its session no longer may see).
 */
export class LiveStreams {
  private readonly open = new Map<() => void, string | undefined>();
  constructor(
    readonly max: number,
    readonly perOwner = Number.POSITIVE_INFINITY,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** Counts a new stream, whose `stop` ends it; undefined when `max` are open, or `perOwner` of `owner`'s. */
  add(stop: () => void, owner?: string): (() => void) | undefined {
    if (this.open.size >= this.max) return undefined;
    if (owner !== undefined && [...this.open.values()].filter((o) => o === owner).length >= this.perOwner) return undefined;
    this.open.set(stop, owner);
    return () => this.open.delete(stop);
  }

  /** Ends the streams of `owner`. */
  stopOwner(owner: string): void {
    for (const [stop, o] of [...this.open]) if (o === owner) stop();
  }

  /** Ends every stream (the server is closing: open streams would keep it waiting). */
  stopAll(): void {
    for (const stop of [...this.open.keys()]) stop();
  }
}

/**
 * How long one stream lasts; the browser's EventSource then reconnects through the session check,
 * so a stream never outlives its session by more than this.
 */
export const STREAM_MAX_MS = 5 * 60_000;

/** The owner of a request's streams: its session id (undefined without a session). */
export function streamOwner(req: FastifyRequest): string | undefined {
  const id = (req as { session?: { sessionId?: unknown } }).session?.sessionId;
  return typeof id === 'string' ? id : undefined;
}

export interface StreamOptions {
  deps: Deps;
  key: IncidentKey;
  /** The version the page already shows; the stream sends the timeline as soon as the incident differs. */
  since: number | undefined;
  /** Whether the viewer may still see the incident (checked on every change). */
  visible: (inc: Incident) => boolean;
  /** The timeline's HTML for the incident at this moment. */
  render: (inc: Incident) => Promise<string>;
  pollMs: number;
  /** How long the stream lasts before the browser must reconnect (default STREAM_MAX_MS). */
  maxMs?: number;
  /** A comment line every this many quiet polls, so proxies keep the connection. */
  keepAliveEvery?: number;
}

/** Answers `req` with the incident's live timeline until the browser goes away (or the incident can no longer be seen). */
export function streamTimeline(req: FastifyRequest, reply: FastifyReply, streams: LiveStreams, o: StreamOptions): void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const res = reply.raw;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (timer) clearTimeout(timer);
    clearTimeout(lifetime);
    release?.();
    res.end();
  };
  const release = streams.add(stop, streamOwner(req));
  if (!release) {
    void reply.code(503).header('retry-after', '30').type('text/plain; charset=utf-8').send('too many live pages open');
    return;
  }
  reply.hijack();
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  });
  res.write('retry: 5000\n\n');
  req.raw.on('close', stop);
  const lifetime = setTimeout(stop, o.maxMs ?? STREAM_MAX_MS);
  lifetime.unref();
  let last = o.since;
  let quiet = 0;
  const every = o.keepAliveEvery ?? 15;
  const tick = async () => {
    try {
      const inc = await o.deps.store.get(o.key);
      if (stopped) return;
      if (!inc || !o.visible(inc)) return stop();
      if (inc.version !== last) {
        const markup = await o.render(inc);
        if (stopped) return;
        res.write(sseMessage(markup));
        last = inc.version;
        quiet = 0;
      } else if (++quiet % every === 0) res.write(': keep-alive\n\n');
    } catch (err) {
      o.deps.log.warn({ workspace: o.key.workspace, number: o.key.number, err: (err as Error).message }, 'live timeline poll failed');
    }
    if (!stopped) timer = setTimeout(() => void tick(), o.pollMs);
  };
  void tick();
}
