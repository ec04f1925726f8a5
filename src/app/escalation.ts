import { openPagesOf, planStep, type PolicySnapshot } from '../core/escalation.js';
import { PlatformError } from '../core/errors.js';
import type { Incident } from '../core/model.js';
import { decidePageFailed, decidePageSent, decideStep, findPage, isDueStep, pageWanted } from '../core/paging.js';
import type { MessageRef, OutboundJob, StepRef } from '../core/ports.js';
import type { Override } from '../core/rotation-schema.js';
import type { Deps } from './context.js';
import { renderPageOutcome, renderSummary } from './effects.js';
import { record } from './record.js';
import { TAKEN, whileClaimed } from './claims.js';
import { renderChecklist, runGuidanceStep } from './guidance.js';
import { runReviewReminder } from './postmortem-review.js';

/**
 * Runs one timer job (a policy step or an acknowledgement timeout). The decision is recorded
 * with a compare-and-set together with its effects (the page DMs, the next timer) in the
 * outbox, so of two runs of the same job, or a run racing an acknowledgement, only one records
 * a page, and a run that dies after recording loses nothing: a relay carries the effects out.
 */
export async function runStep(deps: Deps, ref: StepRef): Promise<void> {
  if (ref.kind === 'update_due' || ref.kind === 'roles_due' || ref.kind === 'drill_step') return runGuidanceStep(deps, ref);
  if (ref.kind === 'postmortem_due') return runReviewReminder(deps, ref);
  const key = { workspace: ref.workspace, number: ref.number };
  const current = await deps.store.get(key);
  if (!current) return;
  const now = deps.clock.now();
  const overrides = await deps.oncall.overrides(ref.workspace, now);
  const names = await namesFor(deps, current, ref, now, overrides);
  // The step's effects (its page DMs, the next timer, the channel line) run in the background:
  // they are in the outbox already, and the step worker is free for the next timer at once.
  const { after, events } = await record(deps, key, (inc) => decideStep(inc, ref, now, overrides, (id) => names.get(id) ?? id), { current, background: deps.stepEffectsInBackground ?? false });
  const log = deps.log.child({ incidentId: after.ref, workspace: ref.workspace, step: ref.step, generation: ref.generation });
  if (events.length === 0) log.info({ phase: after.escalation?.phase, status: after.status }, 'escalation step skipped');
  else log.info({ paged: events.flatMap((e) => (e.type === 'paged' ? e.users.map((u) => u.id) : [])) }, 'escalation step ran');
}

/** Display names of the people a due step will page (looked up before the write, not inside it). */
async function namesFor(deps: Deps, inc: Incident, ref: StepRef, now: Date, overrides: Record<string, Override[]>): Promise<Map<string, string>> {
  const snapshot = inc.escalation?.snapshot;
  if (!snapshot || ref.kind || !isDueStep(inc, ref)) return new Map();
  return lookupNames(deps, inc.workspace, snapshot, ref.step, now, overrides);
}

export async function lookupNames(deps: Deps, workspace: string, snapshot: PolicySnapshot, step: number, now: Date, overrides: Record<string, Override[]>) {
  const names = new Map<string, string>();
  const plan = planStep(snapshot, step, now, overrides);
  if (plan === 'exhausted') return names;
  for (const id of plan.resolved.userIds) names.set(id, await deps.chat.userName(workspace, id).catch(() => id));
  return names;
}

/**
 * Delivers one queued message. A page DM goes out only while its page is `requested`; once
 * sent, it is linked to its page by a `page_sent` event (the link and the event in one write),
 * so a reaction on the DM acknowledges exactly when the DM exists. Other messages are marked
 * sent after sending and skipped when marked, so a job that runs twice sends once.
 */
export async function deliver(deps: Deps, job: OutboundJob): Promise<void> {
  if (job.page) return deliverPage(deps, job, job.page);
  const doneKey = `sent:${job.id}`;
  if (await deps.oncall.done(doneKey)) return;
  if (job.standDownOf && (await pagedAgain(deps, job.workspace, job.standDownOf))) {
    deps.log.info({ jobId: job.id, workspace: job.workspace }, 'stand-down not sent: paged again meanwhile');
    return;
  }
  await send(deps, job);
  await deps.oncall.markDone(doneKey, 7 * 24 * 3600);
}

/** A stand-down that arrives after its person was paged again (a new round) would mislead them. */
async function pagedAgain(deps: Deps, workspace: string, s: { number: number; userId: string }): Promise<boolean> {
  const inc = await deps.store.get({ workspace, number: s.number });
  return openPagesOf(inc?.escalation, s.userId).length > 0;
}

/**
 * The outbound queue gave up on a message (its attempts ran out, ~40 h of failures): a page DM
 * that never went out says so on the timeline, like one the platform refused.
 */
export async function deliveryGaveUp(deps: Deps, job: OutboundJob, err: Error): Promise<void> {
  const page = job.page;
  if (!page) return;
  const reason = `gave up after repeated failures (${err.message})`;
  await record(deps, { workspace: job.workspace, number: page.number }, (current) => decidePageFailed(current, page.pageId, reason, deps.clock.now()));
}

/** The writer's eager tries of page DMs under way in this process (src/app/effects.ts), by claim key. */
const eager = new Map<string, Promise<void>>();
/** How long a queued delivery waits for an eager try of the same page in this process. */
const EAGER_WAIT_MS = 1_000;

const claimKeyOf = (job: OutboundJob, page: { number: number; pageId: string }) => `page-send:${job.workspace}:${page.number}:${page.pageId}`;

/**
 * The writer's own try of a page DM it has just queued. The queued job, when a worker of this
 * process starts it meanwhile, waits for this try (up to EAGER_WAIT_MS) and then finds the page
 * sent, instead of meeting its claim and retrying a second later.
 */
export function deliverEagerly(deps: Deps, job: OutboundJob): Promise<void> {
  const page = job.page;
  if (!page) return Promise.resolve();
  const claimKey = claimKeyOf(job, page);
  const run = deliverPageOnce(deps, job, page, claimKey);
  eager.set(claimKey, run);
  void run.catch(() => undefined).finally(() => eager.get(claimKey) === run && eager.delete(claimKey));
  return run;
}

async function deliverPage(deps: Deps, job: OutboundJob, page: { number: number; pageId: string }): Promise<void> {
  const claimKey = claimKeyOf(job, page);
  const first = eager.get(claimKey);
  if (first) {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, EAGER_WAIT_MS);
      timer.unref();
    });
    await Promise.race([first.catch(() => undefined), waited]);
    clearTimeout(timer);
  }
  await deliverPageOnce(deps, job, page, claimKey);
}

async function deliverPageOnce(deps: Deps, job: OutboundJob, page: { number: number; pageId: string }, claimKey: string): Promise<void> {
  const key = { workspace: job.workspace, number: page.number };
  // One send of a page at a time: a delivery whose wait timed out may still be talking to the
  // platform, and its retry must not send a second DM meanwhile (it comes back later and finds
  // the page sent). The claim is a short lease, renewed while the send and the link run, and the
  // page is read under it, so a try that follows a finished one sees the page sent.
  const sent = await whileClaimed(deps, claimKey, async () => {
    const inc = await deps.store.get(key);
    if (!pageWanted(inc, page.pageId)) {
      // Delivered already (by the writer's eager try, or an earlier run of this job): nothing to say.
      if (inc && findPage(inc, page.pageId)?.state === 'sent') return;
      // Why is on the timeline: the acknowledgement or the end of the incident that ended the page.
      deps.log.info({ jobId: job.id, workspace: job.workspace, pageId: page.pageId, state: inc && findPage(inc, page.pageId)?.state }, 'page not sent: it ended before delivery');
      return;
    }
    await sendAndLink(deps, job, key, page);
  });
  if (sent === TAKEN) throw new PlatformError('page DM still being sent by an earlier try', 'transient');
}

async function sendAndLink(deps: Deps, job: OutboundJob, key: { workspace: string; number: number }, page: { number: number; pageId: string }): Promise<void> {
  let dm: MessageRef;
  try {
    dm = await deps.chat.dm(job.workspace, job.target ?? '', job.message);
  } catch (err) {
    if (err instanceof PlatformError && err.kind === 'permanent') {
      await record(deps, key, (current) => decidePageFailed(current, page.pageId, err.message, deps.clock.now()));
    }
    throw err;
  }
  // Linking must not be lost to a Redis blip: a DM nobody can acknowledge by reaction would keep
  // the escalation going. Retried here; if Redis stays away the job retries, and sends again.
  await withRetries(() =>
    record(deps, key, (current) => decidePageSent(current, page.pageId, dm, deps.clock.now()), {
      pageLinks: [{ channelId: dm.channelId, messageId: dm.messageId, pageId: page.pageId }],
    }),
  );
}

async function withRetries<T>(work: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 50 * 2 ** i));
    }
  }
}

async function send(deps: Deps, job: OutboundJob): Promise<MessageRef | undefined> {
  const { chat } = deps;
  switch (job.kind) {
    case 'dm':
      return chat.dm(job.workspace, job.target ?? '', job.message);
    case 'post':
      return chat.post(job.workspace, job.target ?? '', job.message);
    case 'update': {
      const ref = { channelId: job.target ?? '', messageId: job.messageId ?? '' };
      await chat.update(job.workspace, ref, await currentRendering(deps, job));
      return undefined;
    }
    case 'announce':
      return chat.announce(job.workspace, job.message, job.target);
  }
}

/** A queued edit shows the incident as it is at delivery, so a late retry never puts back an older state. */
async function currentRendering(deps: Deps, job: OutboundJob) {
  const number = job.summaryOf ?? job.checklistOf ?? job.outcomeOf?.number;
  const current = number === undefined ? null : await deps.store.get({ workspace: job.workspace, number });
  if (job.summaryOf !== undefined && current) return renderSummary(deps, current);
  if (job.checklistOf !== undefined && current) return renderChecklist(deps, current);
  if (job.outcomeOf) return renderPageOutcome(deps, current, job.outcomeOf.pageId) ?? job.message;
  return job.message;
}
