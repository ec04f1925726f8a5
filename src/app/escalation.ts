import { planStep } from '../core/escalation.js';
import type { Effect } from '../core/effects.js';
import { decideStep, isDueStep } from '../core/paging.js';
import type { MessageRef, OutboundJob, StepRef } from '../core/ports.js';
import { mutate } from '../store/mutate.js';
import type { Deps } from './context.js';
import { applyEffects, renderSummary } from './effects.js';

/**
 * Effects a step job cannot do without: queueing the page DMs and the next timer. Both are
 * idempotent by id, so a failure fails the job, and its retry (or a re-run after a crash) repeats them.
 */
const ESSENTIAL: ReadonlySet<Effect['kind']> = new Set(['page', 'schedule_step']);

/**
 * Runs one escalation step job. The decision is recorded with a compare-and-set, so of two
 * runs of the same job, or a run racing an acknowledgement, only one records a page. A run
 * that finds its page already recorded (the earlier run died before queueing the DMs or the
 * next timer) repeats those two effects; both are idempotent by id.
 */
export async function runStep(deps: Deps, ref: StepRef): Promise<void> {
  const key = { workspace: ref.workspace, number: ref.number };
  const current = await deps.store.get(key);
  if (!current) return;
  const now = deps.clock.now();
  const overrides = await deps.oncall.overrides(ref.workspace, now);
  const names = await namesFor(deps, current, ref, now, overrides);
  const { after, events } = await mutate(deps.store, key, (inc) => decideStep(inc, ref, now, overrides, (id) => names.get(id) ?? id));
  const log = deps.log.child({ incidentId: after.ref, workspace: ref.workspace, step: ref.step, generation: ref.generation });
  if (events.length > 0) {
    log.info({ paged: events.flatMap((e) => (e.type === 'paged' ? e.users.map((u) => u.id) : [])) }, 'escalation step ran');
    await applyEffects(deps, after, events, { mustSucceed: ESSENTIAL });
    return;
  }
  // Not due: either stale (acknowledged, finished, superseded) or already recorded by an earlier
  // run of this job that may have died before queueing its DMs and the next timer.
  const all = await deps.store.events(key);
  const paged = all.find((e) => e.type === 'paged' && e.generation === ref.generation && e.step === ref.step);
  if (!paged) {
    log.info({ phase: after.escalation?.phase, status: after.status }, 'escalation step skipped');
    return;
  }
  await applyEffects(deps, after, [paged], { only: ESSENTIAL, mustSucceed: ESSENTIAL });
}

async function namesFor(deps: Deps, inc: Parameters<typeof isDueStep>[0], ref: StepRef, now: Date, overrides: Parameters<typeof planStep>[3]) {
  const names = new Map<string, string>();
  const snapshot = inc.escalation?.snapshot;
  if (!snapshot || !isDueStep(inc, ref)) return names;
  const plan = planStep(snapshot, ref.step, now, overrides);
  if (plan === 'exhausted') return names;
  for (const id of plan.resolved.userIds) names.set(id, await deps.chat.userName(ref.workspace, id).catch(() => id));
  return names;
}

/**
 * Delivers one queued message. Checked before sending and marked after, so a job that runs
 * twice sends once; a page whose incident was acknowledged or finished meanwhile is not sent.
 */
export async function deliver(deps: Deps, job: OutboundJob): Promise<void> {
  const doneKey = `sent:${job.id}`;
  if (await deps.oncall.done(doneKey)) return;
  if (job.page && !(await pageStillWanted(deps, job))) {
    deps.log.info({ jobId: job.id, workspace: job.workspace }, 'page not sent: answered or finished meanwhile');
    return;
  }
  const ref = await send(deps, job);
  await deps.oncall.markDone(doneKey, 7 * 24 * 3600);
  if (job.page && ref) await deps.oncall.rememberPage(job.workspace, ref, job.page);
}

async function send(deps: Deps, job: OutboundJob): Promise<MessageRef | undefined> {
  const { chat } = deps;
  switch (job.kind) {
    case 'dm':
      return chat.dm(job.workspace, job.target ?? '', job.message);
    case 'post':
      return chat.post(job.workspace, job.target ?? '', job.message);
    case 'update': {
      const current = job.summaryOf === undefined ? null : await deps.store.get({ workspace: job.workspace, number: job.summaryOf });
      await chat.update(job.workspace, { channelId: job.target ?? '', messageId: job.messageId ?? '' }, current ? renderSummary(deps, current) : job.message);
      return undefined;
    }
    case 'announce':
      return chat.announce(job.workspace, job.message);
  }
}

async function pageStillWanted(deps: Deps, job: OutboundJob): Promise<boolean> {
  const page = job.page;
  if (!page) return true;
  const inc = await deps.store.get({ workspace: job.workspace, number: page.number });
  const esc = inc?.escalation;
  if (!inc || !esc || inc.status === 'resolved' || inc.status === 'closed' || inc.status === 'cancelled') return false;
  const mine = esc.pages.find((p) => p.user.id === page.userId && p.generation === page.generation && p.step === page.step);
  if (!mine || mine.ackedAt) return false;
  // A policy page queued just before someone acknowledged is moot: nobody is paged after an ack.
  return page.step < 0 || esc.phase === 'paging';
}
