import { setImmediate as nextTurn } from 'node:timers/promises';
import type { RedisClient as Redis } from '../../src/infra/redis-client.js';
import type { Deps } from '../../src/app/context.js';
import { translator } from '../../src/core/i18n/index.js';
import type { IncidentEvent } from '../../src/core/events.js';
import type { OutboundJob } from '../../src/core/ports.js';
import { ManualClock } from '../../src/infra/clock.js';
import { RedisOutbox } from '../../src/store/redis-outbox.js';
import { RedisOnCallStore } from '../../src/store/redis-oncall.js';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { MemoryLogger, parseTestConfig } from '../support/core.js';
import { FakePlatform } from './paging-platform.js';
import { HarnessQueues, type QJob } from './paging-queues.js';

/**
 * The world one property run happens in: the real Redis store, outbox and on-call store on a
 * private key prefix, the real app functions, and everything around them made deterministic so a
 * seed replays the same run:
 *
 * - Every call a task (a command, a job, a relay poll) makes through a port is a gate: the task
 *   parks before the call until the model lets it through, and the model waits until it parks
 *   again (or ends) before letting anything else move. Only one task moves at a time, so the
 *   order of Redis writes and platform calls is exactly the order fast-check chose, and two tasks
 *   can be interleaved at any point between two calls (an ack racing a step, two runs of one job).
 * - A crash (kill -9) of a bot process is its tasks never being let through again: nothing after
 *   the gate happens, as with a dead process. No error is thrown into the app code: its catch
 *   blocks would keep a "dead" process running (runGroup moves on to the next entry, deliver's
 *   link retries sleep for seconds). Its active jobs stall, as BullMQ's stall check does.
 * - The outbox lease heartbeat (relay.ts, a 1 s setInterval) is not forwarded: its timing is real
 *   time, which a seed cannot replay. A writer then holds its lease for LEASE_MS of `wall` only,
 *   which is the "slow writer whose lease ran out" case the relay is designed for (entries may
 *   run twice; every effect is idempotent by entry id).
 */

export const WS = 'prop';
export const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'] as const;
/** Declares, and so may change the severity and resolve (src/core/authz.ts); paged by no policy. */
export const DECLARER = 'zoe';
export const START = new Date('2025-12-26T00:00:00Z');

/** Two policies: P3 pages alice, then bob and carol, twice; P1/P2 page dave and alice, then erin, with an ack timeout. P4 pages nobody. */
export const CONFIG = {
  policies: [
    { id: 'minor', tiers: [{ targets: [{ user: 'alice' }], delay: '5m' }, { targets: [{ user: 'bob' }, { user: 'carol' }], delay: '10m' }], repeat: 1 },
    { id: 'major', tiers: [{ targets: [{ user: 'dave' }, { user: 'alice' }], delay: '5m' }, { targets: [{ user: 'erin' }], delay: '5m' }], ackTimeout: '30m' },
  ],
  routes: [
    { severity: ['P1', 'P2'], policy: 'major' },
    { severity: 'P3', policy: 'minor' },
  ],
};

export type ProcName = 'A' | 'B';

/** One life of a bot process: a crash ends it and the next command on that name starts a new one. */
export interface Incarnation {
  name: ProcName;
  life: number;
  alive: boolean;
}

export class Task {
  /** Calls waiting at their gate, first come first served. */
  readonly pending: (() => void)[] = [];
  inflight = 0;
  done = false;
  error: unknown;
  /** What the job this task ran threw (the queue retries it; the invariants look at what it was). */
  jobError: unknown;
  /** Per incident, the op sequence number and the `wall` time of the task's last read of it (store.get). */
  readonly lastRead = new Map<number, { seq: number; wall: number }>();
  /** The queue job this task runs, and the token it holds on it (a stalled job gets a new one). */
  job?: { job: QJob; token: number };
  /** Set while the task delivers an outbound job: the DMs it sends are attributed to it. */
  outbound?: OutboundJob;
  constructor(
    readonly id: number,
    readonly proc: Incarnation,
    readonly label: string,
  ) {}
  get dead(): boolean {
    return !this.proc.alive;
  }
}

export interface Committed {
  seq: number;
  number: number;
  events: readonly IncidentEvent[];
}

export class World {
  seq = 0;
  /** The lease clock (deps.wallMs): moves only when the model says so. */
  wall = 1_700_000_000_000;
  readonly clock = new ManualClock(START);
  readonly log = new MemoryLogger();
  readonly platform = new FakePlatform(this);
  readonly queues = new HarnessQueues(this);
  readonly tasks: Task[] = [];
  /** Every append that was written, in order: what the invariants replay. */
  readonly committed: Committed[] = [];
  /** `done:` marks set (oncall.markDone), with the op that set them. */
  readonly marks = new Map<string, number>();
  maxNumber = 0;
  /** Timers the drain found missing for a step an incident waits on (see paging-model.ts drain). */
  readonly lostTimers: string[] = [];
  readonly procs: Record<ProcName, Incarnation> = { A: { name: 'A', life: 1, alive: true }, B: { name: 'B', life: 1, alive: true } };
  readonly base: Omit<Deps, 'chat' | 'scheduler'> & { store: RedisIncidentStore; outbox: RedisOutbox; oncall: RedisOnCallStore };

  /** Keys taken with store.claim: their Redis TTLs follow `wall` (see advanceWall). */
  private readonly claims = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    const config = parseTestConfig(CONFIG);
    this.base = {
      store: new RedisIncidentStore(redis, prefix),
      outbox: new RedisOutbox(redis, prefix),
      oncall: new RedisOnCallStore(redis, prefix),
      clock: this.clock,
      config,
      t: translator(config.locale),
      log: this.log,
      postmortems: { write: async () => '/dev/null' },
      wallMs: () => this.wall,
    };
  }

  live(): Task[] {
    return this.tasks.filter((t) => !t.done && !t.dead);
  }

  /** A gated call: parks until released, then runs `fn` with the op's sequence number. */
  async call<R>(task: Task, fn: (seq: number) => Promise<R>, after?: (result: R, seq: number) => void): Promise<R> {
    await new Promise<void>((release) => task.pending.push(release));
    const seq = ++this.seq;
    task.inflight++;
    try {
      const result = await fn(seq);
      after?.(result, seq);
      return result;
    } finally {
      task.inflight--;
    }
  }

  depsFor(task: Task): Deps {
    const { store, outbox, oncall } = this.base;
    const gate = <T extends object>(target: T, after: (method: string, args: unknown[], result: unknown, seq: number) => void = () => undefined): T =>
      new Proxy(target, {
        get: (t, prop) => {
          const value: unknown = Reflect.get(t, prop);
          if (typeof value !== 'function') return value;
          if (target === outbox && prop === 'extend') return async () => undefined; // the heartbeat (see the module comment)
          return (...args: unknown[]) =>
            this.call(task, () => (value as (...a: unknown[]) => Promise<unknown>).apply(t, args), (result, seq) => after(String(prop), args, result, seq));
        },
      });
    return {
      ...this.base,
      store: gate(store, (method, args, result, seq) => {
        const key = args[0] as { number: number };
        if (method === 'get') task.lastRead.set(key.number, { seq, wall: this.wall });
        if (method === 'nextNumber') this.maxNumber = Math.max(this.maxNumber, result as number);
        if (method === 'append' && result === true) this.committed.push({ seq, number: key.number, events: args[2] as IncidentEvent[] });
        if ((method === 'claim' || method === 'claimAs') && result === true) this.claims.add(args[0] as string);
      }),
      outbox: gate(outbox),
      oncall: gate(oncall, (method, args, _result, seq) => {
        if (method === 'markDone') this.marks.set(args[0] as string, seq);
      }),
      scheduler: gate(this.queues.portFor(task)),
      chat: gate(this.platform.portFor(task)),
    };
  }

  /** Starts a task on process `name` and lets it pass `gates` gates (all of them by default). */
  async start(name: ProcName, label: string, work: (deps: Deps, task: Task) => Promise<unknown>, gates = Infinity, setup?: (task: Task) => void): Promise<Task> {
    const task = new Task(this.tasks.length + 1, this.procs[name], label);
    setup?.(task);
    this.tasks.push(task);
    const deps = this.depsFor(task);
    void Promise.resolve()
      .then(() => work(deps, task))
      .then(
        () => undefined,
        (err: unknown) => {
          task.error = err;
        },
      )
      .finally(() => {
        task.done = true;
      });
    await this.settle(task);
    await this.advance(task, gates);
    return task;
  }

  /** Lets a parked task through up to `gates` gates, each time until it parks again or ends. */
  async advance(task: Task, gates = Infinity): Promise<void> {
    for (let i = 0; i < gates && !task.dead && (!task.done || task.pending.length > 0); i++) {
      task.pending.shift()?.();
      await this.settle(task);
    }
  }

  /** Waits until the task is parked at a gate with nothing in flight, or has ended. */
  private async settle(task: Task): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      await nextTurn();
      const parked = () => task.done || (task.inflight === 0 && task.pending.length > 0);
      if (parked()) {
        // One more turn: a call that just returned may still be issuing its next one.
        await nextTurn();
        if (parked()) return;
      }
      if (Date.now() > deadline) throw new Error(`harness: task ${task.label} neither parks nor ends`);
    }
  }

  /**
   * Moves the lease clock. Claims (store.claim, SET NX EX: the page-send claim of deliver) expire
   * on Redis's real clock, which a run does not wait for: their TTLs are moved along with `wall`,
   * so a claim left by a dead sender runs out when the model says that much time passed.
   */
  async advanceWall(ms: number): Promise<void> {
    this.wall += ms;
    for (const claim of this.claims) {
      const key = `${this.prefix}once:${claim}`;
      const left = await this.redis.pttl(key);
      if (left < 0) this.claims.delete(claim);
      else if (left <= ms) await this.redis.del(key);
      else await this.redis.pexpire(key, left - ms);
    }
  }

  /** Jobs failed for good by stalling, for a live worker to report (workers.ts onGaveUp). */
  stalledOut: QJob[] = [];

  /** kill -9 of a bot process: its tasks stop where they are parked, its active jobs stall. */
  crash(name: ProcName): void {
    const dying = this.procs[name];
    dying.alive = false;
    for (const task of this.tasks) {
      if (task.proc === dying && !task.done && task.job && this.queues.stall(task.job.job, task.job.token)) this.stalledOut.push(task.job.job);
    }
    this.procs[name] = { name, life: dying.life + 1, alive: true };
  }
}
