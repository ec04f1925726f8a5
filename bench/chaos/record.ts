import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { IncidentEvent } from '../../src/core/events.js';
import type { Incident } from '../../src/core/model.js';
import { QUEUES } from '../../src/scheduler/bullmq-scheduler.js';
import { RedisOutbox } from '../../src/store/redis-outbox.js';
import { RedisIncidentStore, encodeWorkspace } from '../../src/store/redis-store.js';
import { sleep } from './cluster.js';

/**
 * What the bots recorded, read straight from Redis after the run, and the wait for the run to
 * settle: no page still `requested`, no escalation still paging, nothing in either workspace's
 * outbox and nothing left in the outbound queue (a job held by a killed process counts as
 * active until BullMQ finds it stalled, and its retry could still send a duplicate).
 */

export interface Recorded {
  incident: Incident;
  events: IncidentEvent[];
}

export interface Pending {
  requested: number;
  paging: number;
  outbox: number;
  outbound: number;
}

export class RecordReader {
  private readonly redis: Redis;
  private readonly store: RedisIncidentStore;
  private readonly outbox: RedisOutbox;
  private readonly outbound: Queue;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2 });
    this.redis.on('error', () => undefined);
    this.store = new RedisIncidentStore(this.redis, prefix);
    this.outbox = new RedisOutbox(this.redis, prefix);
    this.outbound = new Queue(QUEUES.outbound, { connection: { url, maxRetriesPerRequest: 2 } as never, prefix: `${prefix}{q}` });
    this.outbound.on('error', () => undefined);
  }

  async incidents(workspace: string): Promise<Recorded[]> {
    const seq = Number((await this.redis.get(`${this.prefix}inc:{${encodeWorkspace(workspace)}}:seq`)) ?? 0);
    const out: Recorded[] = [];
    for (let number = 1; number <= seq; number++) {
      const incident = await this.store.get({ workspace, number });
      if (incident) out.push({ incident, events: await this.store.events({ workspace, number }) });
    }
    return out;
  }

  async pending(workspaces: readonly string[]): Promise<Pending> {
    const p: Pending = { requested: 0, paging: 0, outbox: 0, outbound: 0 };
    for (const ws of workspaces) {
      for (const { incident } of await this.incidents(ws)) {
        p.requested += incident.escalation?.pages.filter((pg) => pg.state === 'requested').length ?? 0;
        if (incident.escalation?.phase === 'paging') p.paging++;
      }
      p.outbox += await this.outbox.pending(ws);
    }
    const counts = await this.outbound.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'waiting-children');
    p.outbound = Object.values(counts).reduce((a, b) => a + b, 0);
    return p;
  }

  /** Polls until nothing is pending or `timeoutMs` passes; returns what was still pending (all zero when settled). */
  async settle(workspaces: readonly string[], timeoutMs: number, progress: (p: Pending, waitedMs: number) => void): Promise<Pending> {
    const start = Date.now();
    let lastPrint = 0;
    for (;;) {
      const p = await this.pending(workspaces).catch(() => undefined);
      if (p && p.requested + p.paging + p.outbox + p.outbound === 0) return p;
      if (Date.now() - start > timeoutMs) return p ?? { requested: -1, paging: -1, outbox: -1, outbound: -1 };
      if (p && Date.now() - lastPrint > 10_000) {
        progress(p, Date.now() - start);
        lastPrint = Date.now();
      }
      await sleep(250);
    }
  }

  async close(): Promise<void> {
    await this.outbound.close().catch(() => undefined);
    await this.redis.quit().catch(() => undefined);
  }
}
