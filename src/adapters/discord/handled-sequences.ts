import type { Client } from 'discord.js';
import type { Logger } from '../../core/ports.js';

/**
 * Which gateway events are still being handled, by sequence number, so the session kept for
 * the next lease holder (gateway-session.ts) never claims more than was handled. @discordjs/ws
 * moves its session's sequence on when an event arrives, before any handler has seen it: stored
 * as is, a holder killed during a slow handler would leave that event to nobody (the new holder
 * resumes after it). Stored instead: one below the oldest event still unfinished, or the last
 * sequence when none is. What is replayed and was handled after all is caught by each event's
 * dedupe (replay-guard.ts).
 *
 * An event is unfinished from its arrival until discord.js has dispatched it (it holds events
 * back until the client is ready, as after a resume) and every handler run it started has
 * ended. discord.js emits its events synchronously while it handles a packet
 * (WebSocketManager#handlePacket, private in discord.js 14, wrapped here), so a run started
 * then belongs to that packet (`current`); a run started from the raw packet names it itself.
 * A run holds its event back for HOLD_MAX_MS at most: one that hangs must not pin the stored
 * session to an old sequence that Discord would no longer resume from.
 */

const HOLD_MAX_MS = 60_000;

/** One event: its shard and sequence, in its shard's generation (`reset` starts a new one). */
export interface EventRef {
  shardId: number;
  seq: number;
  generation: number;
}

interface Unfinished {
  /** Handler runs started for it and not ended. */
  runs: number;
  /** discord.js has handed it to its event handlers (not only queued it). */
  dispatched: boolean;
}

type PacketHandler = (packet?: { s?: number | null }, shard?: { id: number }) => boolean;

export class HandledSequences {
  private readonly open = new Map<number, Map<number, Unfinished>>();
  private readonly generations = new Map<number, number>();
  private dispatching: EventRef | null = null;
  /** False until `watch` could wrap discord.js: nothing is tracked, the session is stored as @discordjs/ws has it. */
  private watching = false;
  private log: Logger | null = null;
  /** An event finished: the session may be stored further on. */
  onSettled: (shardId: number) => void = () => undefined;

  /** Follows the client's dispatch of each packet; call before it logs in. */
  watch(client: Client, log: Logger): void {
    const ws = client.ws as unknown as { handlePacket?: PacketHandler };
    const original = ws.handlePacket;
    if (typeof original !== 'function') {
      log.error({ fix: 'Pin discord.js 14 (WebSocketManager#handlePacket).' }, 'discord events cannot be tracked to their handlers; a failover may skip an event that was being handled');
      return;
    }
    this.watching = true;
    this.log = log;
    ws.handlePacket = (packet, shard) => {
      const seq = packet?.s;
      if (typeof seq !== 'number' || !shard) return original.call(ws, packet, shard);
      const ref = this.ref(shard.id, seq);
      this.entry(ref);
      const outer = this.dispatching;
      this.dispatching = ref;
      let handed = false;
      try {
        handed = original.call(ws, packet, shard);
      } finally {
        this.dispatching = outer;
        // Queued (false): dispatched later, through this same wrapper.
        if (handed) this.dispatched(ref);
      }
      return handed;
    };
  }

  /** @discordjs/ws stored this sequence for an event that is about to be dispatched. */
  arrived(shardId: number, seq: number): void {
    if (this.watching) this.entry(this.ref(shardId, seq));
  }

  /** The event discord.js is dispatching right now, if any. */
  current(): EventRef | null {
    return this.dispatching;
  }

  ref(shardId: number, seq: number): EventRef {
    return { shardId, seq, generation: this.generations.get(shardId) ?? 0 };
  }

  /** A handler run for this event starts; call what it returns when the run has ended. */
  begin(ref: EventRef | null): () => void {
    if (!ref || !this.watching) return () => undefined;
    this.entry(ref).runs += 1;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(overdue);
      const e = this.find(ref);
      if (!e) return;
      e.runs -= 1;
      this.settle(ref, e);
    };
    const overdue = setTimeout(() => {
      this.log?.warn({ shard: ref.shardId, seq: ref.seq, afterMs: HOLD_MAX_MS }, 'discord event handler still running; the stored gateway session moves past it');
      end();
    }, HOLD_MAX_MS);
    overdue.unref();
    return end;
  }

  /** The oldest sequence of this shard still being handled; null when none is. */
  oldest(shardId: number): number | null {
    let min: number | null = null;
    for (const seq of this.open.get(shardId)?.keys() ?? []) if (min === null || seq < min) min = seq;
    return min;
  }

  /** Forgets a shard's events (every shard's without one): a new session, or a lease term that resumes from what Redis has. */
  reset(shardId?: number): void {
    for (const id of shardId === undefined ? new Set([...this.open.keys(), ...this.generations.keys()]) : [shardId]) {
      this.open.delete(id);
      this.generations.set(id, (this.generations.get(id) ?? 0) + 1);
    }
  }

  private dispatched(ref: EventRef): void {
    const e = this.find(ref);
    if (!e) return;
    e.dispatched = true;
    this.settle(ref, e);
  }

  private settle(ref: EventRef, e: Unfinished): void {
    if (!e.dispatched || e.runs > 0) return;
    this.open.get(ref.shardId)?.delete(ref.seq);
    this.onSettled(ref.shardId);
  }

  private find(ref: EventRef): Unfinished | undefined {
    return this.ofThisGeneration(ref) ? this.open.get(ref.shardId)?.get(ref.seq) : undefined;
  }

  private ofThisGeneration(ref: EventRef): boolean {
    return ref.generation === (this.generations.get(ref.shardId) ?? 0);
  }

  private entry(ref: EventRef): Unfinished {
    const found = this.find(ref);
    if (found) return found;
    const e = { runs: 0, dispatched: false };
    if (!this.ofThisGeneration(ref)) return e;
    let shard = this.open.get(ref.shardId);
    if (!shard) this.open.set(ref.shardId, (shard = new Map()));
    shard.set(ref.seq, e);
    return e;
  }
}
