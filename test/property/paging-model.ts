import fc from 'fast-check';
import { commands } from '../../commands/index.js';
import type { Deps, Invocation } from '../../src/app/context.js';
import { dispatch } from '../../src/app/dispatch.js';
import { deliver, deliveryGaveUp, runStep } from '../../src/app/escalation.js';
import { pressButton, recordReaction } from '../../src/app/reactions.js';
import { rearmEscalations } from '../../src/app/rearm.js';
import { startRelay } from '../../src/app/relay.js';
import { isOpenPage } from '../../src/core/escalation.js';
import { isActive } from '../../src/core/model.js';
import { stepJobId } from '../../src/scheduler/job-ids.js';
import type { FailKind } from './paging-platform.js';
import type { QJob } from './paging-queues.js';
import { DECLARER, USERS, WS, type ProcName, type Task, type World } from './paging-world.js';

/**
 * The commands of a property run, as plain data (so a shrunk counterexample can be pasted into
 * the test file as a regression case), and what each one does to the world. Indexes (`inc`,
 * `who`, `i`, `t`) pick among what exists when the command runs, modulo its count, so every
 * sequence is meaningful and shrinking keeps it so. `gates`: let the task through only that many
 * port calls and leave it parked there (resumed later, crashed, or finished by the drain).
 */

type Sev = 'P1' | 'P2' | 'P3' | 'P4';
type On = { p: ProcName; gates?: number };

export type Cmd =
  | ({ c: 'declare'; sev: Sev } & On)
  | ({ c: 'ack'; via: 'command' | 'button' | 'reaction'; who: number; inc: number } & On)
  | ({ c: 'escalate'; via: 'command' | 'button'; who: number; inc: number } & On)
  | ({ c: 'page'; who: number; inc: number } & On)
  | ({ c: 'sev'; to: Sev; inc: number } & On)
  | ({ c: 'resolve'; inc: number } & On)
  | ({ c: 'step'; i: number } & On)
  | ({ c: 'deliver'; i: number } & On)
  | ({ c: 'relay' } & On)
  | ({ c: 'sweep' } & On)
  | { c: 'resume'; t: number; gates?: number }
  | { c: 'crash'; p: ProcName }
  | { c: 'timeout'; i: number }
  | { c: 'clock'; ms: number }
  | { c: 'wall'; ms: number }
  | { c: 'fail'; kind: FailKind; n: number; scope: 'dm' | 'any' };

const MIN = 60_000;
const proc = fc.constantFrom<ProcName>('A', 'B');
/** Mostly run to the end; otherwise park after a few port calls (mostly the first few: reads before a write), up to a whole declaration. */
const gates = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.nat({ max: 4 }) },
  { weight: 1, arbitrary: fc.nat({ max: 40 }) },
);
const on = <T extends object>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T & On> =>
  fc.tuple(fc.record(model) as fc.Arbitrary<T>, proc, gates).map(([f, p, g]) => (g === undefined ? { ...f, p } : { ...f, p, gates: g }));
const idx = fc.nat({ max: 7 });
const sev = fc.constantFrom<Sev>('P1', 'P2', 'P3', 'P4');
const declare = on({ c: fc.constant('declare' as const), sev });

/** One run: a declaration, then what fast-check makes of the rest. */
export const runArb: fc.Arbitrary<Cmd[]> = fc
  .tuple<[Cmd, Cmd[]]>(
    declare,
    fc.array(
      fc.oneof(
        { weight: 1, arbitrary: declare },
        { weight: 4, arbitrary: on({ c: fc.constant('ack' as const), via: fc.constantFrom('command' as const, 'button' as const, 'reaction' as const), who: idx, inc: idx }) },
        { weight: 1, arbitrary: on({ c: fc.constant('escalate' as const), via: fc.constantFrom('command' as const, 'button' as const), who: idx, inc: idx }) },
        { weight: 1, arbitrary: on({ c: fc.constant('page' as const), who: idx, inc: idx }) },
        { weight: 1, arbitrary: on({ c: fc.constant('sev' as const), to: sev, inc: idx }) },
        { weight: 1, arbitrary: on({ c: fc.constant('resolve' as const), inc: idx }) },
        { weight: 4, arbitrary: on({ c: fc.constant('step' as const), i: idx }) },
        { weight: 5, arbitrary: on({ c: fc.constant('deliver' as const), i: idx }) },
        { weight: 2, arbitrary: on({ c: fc.constant('relay' as const) }) },
        { weight: 1, arbitrary: on({ c: fc.constant('sweep' as const) }) },
        { weight: 4, arbitrary: fc.tuple(idx, gates).map(([t, g]) => (g === undefined ? { c: 'resume' as const, t } : { c: 'resume' as const, t, gates: g })) },
        { weight: 2, arbitrary: fc.record({ c: fc.constant('crash' as const), p: proc }) },
        { weight: 1, arbitrary: fc.record({ c: fc.constant('timeout' as const), i: idx }) },
        { weight: 3, arbitrary: fc.record({ c: fc.constant('clock' as const), ms: fc.constantFrom(1 * MIN, 2 * MIN, 5 * MIN, 10 * MIN, 31 * MIN) }) },
        { weight: 2, arbitrary: fc.record({ c: fc.constant('wall' as const), ms: fc.constantFrom(1_000, 4_001, 6 * MIN) }) },
        {
          weight: 2,
          arbitrary: fc.record({
            c: fc.constant('fail' as const),
            kind: fc.constantFrom<FailKind>('rate_limited', 'transient', 'transient', 'accepted_timeout', 'permanent'),
            n: fc.integer({ min: 1, max: 4 }),
            scope: fc.constantFrom('dm' as const, 'any' as const),
          }),
        },
      ),
      { maxLength: 40, size: 'medium' },
    ),
  )
  .map(([first, rest]) => [first, ...rest]);

const actor = (id: string) => ({ id, name: id });
const inv = (user: string, text: string): Invocation => ({ platform: 'local', workspace: WS, channelId: 'C-elsewhere', user: actor(user), text });

/** The incident `inc` picks among those numbered so far (1 when none is yet). */
const incidentOf = (w: World, inc: number) => 1 + (inc % Math.max(1, w.maxNumber));

/** The people who can acknowledge now (an open page), else everyone: most acks then mean something. */
async function acker(w: World, number: number, who: number): Promise<string> {
  const inc = await w.base.store.get({ workspace: WS, number });
  const open = [...new Set((inc?.escalation?.pages ?? []).filter(isOpenPage).map((p) => p.user.id))];
  const pool = open.length ? open : [...USERS];
  return pool[who % pool.length] ?? 'alice';
}

/** Runs a queue job as a BullMQ worker would: take it, do the work, then complete or fail it (a gated write too). */
function runJob(w: World, job: QJob, p: ProcName, gates: number | undefined): Promise<Task> {
  return w.start(
    p,
    `${job.queue} ${job.id}`,
    async (deps, task) => {
      const held = task.job;
      if (!held) return;
      let failure: unknown;
      try {
        if (job.step) await runStep(deps, job.step.ref);
        else if (job.outbound) await deliver(deps, job.outbound);
      } catch (err) {
        failure = err ?? new Error('undefined thrown');
        task.jobError = failure;
      }
      const gaveUp = await w.call(task, async () => w.queues.finish(job, held.token, failure));
      if (gaveUp && job.outbound) await deliveryGaveUp(deps, job.outbound, failure as Error);
    },
    gates,
    (task) => {
      task.job = { job, token: w.queues.take(job) };
      if (job.outbound) task.outbound = job.outbound;
    },
  );
}

function relayOnce(deps: Deps): Promise<number> {
  // A relay whose timer never fires (stopped at once): the model decides when it polls.
  const relay = startRelay(deps, { pollMs: 1e9 });
  void relay.stop();
  return relay.pollOnce();
}

export async function apply(w: World, cmd: Cmd): Promise<void> {
  const start = (label: string, work: (deps: Deps) => Promise<unknown>) => 'p' in cmd && w.start(cmd.p, label, work, 'gates' in cmd ? cmd.gates : undefined);
  switch (cmd.c) {
    case 'declare':
      await start('declare', (deps) => dispatch(deps, commands, inv(DECLARER, `declare Checkout down --sev ${cmd.sev}`)));
      return;
    case 'ack': {
      const number = incidentOf(w, cmd.inc);
      if (cmd.via === 'reaction') {
        const dms = w.platform.dms.filter((d) => d.page);
        const dm = dms[cmd.who % Math.max(1, dms.length)];
        if (!dm) return;
        await start('ack by reaction', (deps) => recordReaction(deps, { workspace: WS, channelId: dm.ref.channelId, messageId: dm.ref.messageId, user: actor(dm.user), emoji: '✅' }));
        return;
      }
      const user = await acker(w, number, cmd.who);
      if (cmd.via === 'button') await start('ack button', (deps) => pressButton(deps, { workspace: WS, user: actor(user), action: 'ack', value: String(number) }));
      else await start('ack command', (deps) => dispatch(deps, commands, inv(user, `ack INC-${number}`)));
      return;
    }
    case 'escalate': {
      const number = incidentOf(w, cmd.inc);
      const user = USERS[cmd.who % USERS.length] ?? 'alice';
      if (cmd.via === 'button') await start('escalate button', (deps) => pressButton(deps, { workspace: WS, user: actor(user), action: 'escalate', value: String(number) }));
      else await start('escalate command', (deps) => dispatch(deps, commands, inv(user, `escalate INC-${number}`)));
      return;
    }
    case 'page':
      await start('page', (deps) => dispatch(deps, commands, inv(DECLARER, `page INC-${incidentOf(w, cmd.inc)} <@${USERS[cmd.who % USERS.length] ?? 'alice'}> help`)));
      return;
    case 'sev':
      await start('sev', (deps) => dispatch(deps, commands, inv(DECLARER, `sev INC-${incidentOf(w, cmd.inc)} ${cmd.to}`)));
      return;
    case 'resolve':
      await start('resolve', (deps) => dispatch(deps, commands, inv(DECLARER, `resolve INC-${incidentOf(w, cmd.inc)} fixed`)));
      return;
    case 'step':
    case 'deliver': {
      const jobs = w.queues.runnable(cmd.c === 'step' ? 'steps' : 'outbound');
      const job = jobs[cmd.i % Math.max(1, jobs.length)];
      if (job) await runJob(w, job, cmd.p, cmd.gates);
      return;
    }
    case 'relay':
      await start('relay poll', relayOnce);
      return;
    case 'sweep':
      await start('sweep', rearmEscalations);
      return;
    case 'resume': {
      const live = w.live();
      const task = live[cmd.t % Math.max(1, live.length)];
      if (task) await w.advance(task, cmd.gates);
      return;
    }
    case 'crash':
      w.crash(cmd.p);
      return;
    case 'timeout': {
      const active = w.queues.list('outbound').filter((j) => j.state === 'active');
      const job = active[cmd.i % Math.max(1, active.length)];
      if (job) w.queues.timeout(job);
      return;
    }
    case 'clock':
      w.clock.advance(cmd.ms);
      return;
    case 'wall':
      await w.advanceWall(cmd.ms);
      return;
    case 'fail':
      for (let i = 0; i < cmd.n; i++) w.platform.failures.push({ kind: cmd.kind, scope: cmd.scope });
      return;
  }
}

/**
 * Lets everything finish with the platform healthy: parked tasks of live processes run to their
 * end, then relay polls (past every lease and retry time), queued jobs and due steps run, with
 * the clock moved to the next pending step and finally hours on (ack timeouts, the audit),
 * until a whole round changes nothing.
 */
export async function drain(w: World): Promise<void> {
  w.platform.failures = [];
  for (const task of w.live()) await w.advance(task);
  let extraHours = 0;
  for (let round = 0; round < 400; round++) {
    const before = fingerprint(w);
    await w.advanceWall(6 * MIN);
    await w.start('A', 'drain relay poll', relayOnce);
    for (const job of w.stalledOut.splice(0)) {
      const outbound = job.outbound;
      if (outbound) await w.start('A', 'worker fails a stalled job', (deps) => deliveryGaveUp(deps, outbound, new Error('job stalled more than allowable limit')));
    }
    for (const job of w.queues.runnable('outbound')) await runJob(w, job, 'A', undefined);
    for (const job of w.queues.runnable('steps')) await runJob(w, job, 'A', undefined);
    if (fingerprint(w) !== before) continue;
    // Quiet: the audit, as every process runs it each minute. It brings back a lost timer, but
    // with the outbox none should be lost: the invariants count each one it had to bring back.
    await noteLostTimers(w);
    await w.start('A', 'drain sweep', rearmEscalations);
    if (fingerprint(w) !== before) continue;
    // Paging steps drive the clock; the guided response's reminders (rem-…) recur while an
    // incident is open and would never let the drain end: they run when the clock passes them.
    const pending = w.queues.list('steps').filter((j) => j.state === 'waiting' && j.step && j.id.startsWith('esc-'));
    const next = Math.min(...pending.map((j) => Date.parse(j.step?.dueAt ?? '')));
    if (Number.isFinite(next)) {
      w.clock.set(new Date(Math.max(next, w.clock.now().getTime())));
      continue;
    }
    if (extraHours >= 2) return;
    extraHours++;
    w.clock.advance(3 * 60 * MIN);
  }
  throw new Error('harness: the drain did not become quiet in 400 rounds');
}

/**
 * Incidents waiting on a timer that has no job: a policy step, or the ack timeout of an
 * acknowledged generation (a failed job is the audit's to replace, by design).
 */
async function noteLostTimers(w: World): Promise<void> {
  for (let number = 1; number <= w.maxNumber; number++) {
    const inc = await w.base.store.get({ workspace: WS, number });
    const esc = inc?.escalation;
    if (!inc || !esc || !isActive(inc.status)) continue;
    const ref = { workspace: WS, number, generation: esc.generation };
    const paging = esc.phase === 'paging' && esc.nextStep !== undefined;
    const acked = esc.phase === 'acknowledged' && esc.snapshot?.policy.ackTimeoutMs !== undefined;
    if (!paging && !acked) continue;
    const id = stepJobId(paging ? { ...ref, step: esc.nextStep ?? 0 } : { ...ref, step: 0, kind: 'ack_timeout' });
    const job = w.queues.jobs.get(`steps:${id}`);
    const what = `${inc.ref} waits on ${paging ? `step ${esc.nextStep}` : 'the ack timeout'} of generation ${esc.generation}, but its timer ${id} is ${job?.state ?? 'gone'}`;
    if ((!job || job.state === 'completed') && !w.lostTimers.includes(what)) w.lostTimers.push(what);
  }
}

function fingerprint(w: World): string {
  const states = [...w.queues.jobs.values()].map((j) => `${j.id}=${j.state}`).join(',');
  return `${w.committed.length}|${w.platform.dms.length}|${w.platform.messages.size}|${states}`;
}
