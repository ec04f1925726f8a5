import type { IncidentEvent } from '../core/events.js';
import { event } from '../core/events.js';
import { channelMembers, type Effect } from '../core/effects.js';
import { PlatformError } from '../core/errors.js';
import type { Incident } from '../core/model.js';
import { isTerminal } from '../core/model.js';
import type { ChannelRef, OutboundJob, OutboundMessage } from '../core/ports.js';
import { channelName } from '../core/naming.js';
import { findPage } from '../core/paging.js';
import { pageOutcomeMessage } from '../core/paging-effects.js';
import { renderPostmortem } from '../core/postmortem.js';
import { BOT } from '../core/projection.js';
import { summaryMessage } from '../core/summary.js';
import { outboundJobId } from '../scheduler/job-ids.js';
import type { Deps } from './context.js';
import { pagingOptions, record } from './record.js';
import { TAKEN, whileClaimed } from './claims.js';
import { deliverEagerly } from './escalation.js';
import { noticeChannel } from './notice.js';
import { arm, drillTimer, pinQuietly, postChecklist, refreshChecklist, reminderTimer, rolesTimer } from './guidance.js';
import { indexStats } from './stats-index.js';
import { armReviewReminders } from './postmortem-review.js';
import { digestOf, rememberPosted } from './postmortem-draft.js';
import { draftText } from '../core/draft-post.js';
import { syncFollowups } from './followups.js';

/**
 * Carries out one outbox entry. Every effect is idempotent by its entry id (`eid`): queue jobs
 * take ids derived from it, posts are marked sent under it, and effects that record something
 * (a channel, the summary message, the postmortem) first look whether it is recorded already.
 * Returns the incident as it stands afterwards. Throws when the effect should be tried again.
 */
export interface PerformOptions {
  /** The writer's first run of an entry it just wrote: nobody can have sent it yet. */
  firstRun?: boolean;
  /**
   * Takes a write the caller awaits together with the entry's completion instead of before it
   * (the sent mark of a first run): both go out in one round trip.
   */
  defer?: (write: Promise<unknown>) => void;
}

export async function performEffect(deps: Deps, inc: Incident, effect: Effect, eid: string, o: PerformOptions = {}): Promise<Incident> {
  const { chat } = deps;
  const ws = inc.workspace;
  switch (effect.kind) {
    case 'open_channel':
      return openChannel(deps, inc);
    case 'invite':
      if (inc.channelId) await chat.invite(ws, inc.channelId, effect.userIds);
      return inc;
    case 'post':
      if (inc.channelId) {
        const channelId = inc.channelId;
        const job = { id: outboundJobId(['fx', ws, eid]), workspace: ws, kind: 'post' as const, target: channelId, message: effect.message };
        await sendOnce(deps, job, () => chat.post(ws, channelId, effect.message), o);
      }
      return inc;
    case 'announce':
      await deps.scheduler.send({ id: outboundJobId(['fx', ws, eid]), workspace: ws, kind: 'announce', message: effect.message });
      return inc;
    case 'notice': {
      // The channel as the config names it now; one removed from the config since is not guessed.
      const channel = noticeChannel(deps.config, effect.audience).name;
      if (!channel) {
        deps.log.error({ incidentId: inc.ref, audience: effect.audience, fix: `set ${noticeChannel(deps.config, effect.audience).key} in the config` }, 'notice not posted: no channel configured');
        return inc;
      }
      const job = { id: outboundJobId(['fx', ws, eid]), workspace: ws, kind: 'announce' as const, target: channel, message: effect.message };
      await sendOnce(deps, job, () => chat.announce(ws, effect.message, channel), o);
      return inc;
    }
    case 'page': {
      const job = { id: outboundJobId(['fx', ws, eid]), workspace: ws, kind: 'dm' as const, target: effect.user.id, message: effect.message, page: { number: inc.number, pageId: effect.pageId } };
      await deps.scheduler.send(job);
      if (o.firstRun && deps.eagerPages) sendEagerly(deps, job);
      return inc;
    }
    case 'dm':
      await deps.scheduler.send({ id: outboundJobId(['fx', ws, eid]), workspace: ws, kind: 'dm', target: effect.user.id, message: effect.message, standDownOf: { number: inc.number, userId: effect.user.id } });
      return inc;
    case 'page_outcome':
      // Edits show the incident as it is now, not as it was when the entry was written: a late
      // entry must never put back an older state (a resolved DM back to "acknowledged").
      await showPageOutcome(deps, await fresh(deps, inc), effect.pageId, eid);
      return inc;
    case 'schedule_step': {
      // Counted from now to the due time, not from when the event was recorded: the time spent
      // getting here (the write, earlier effects, a relay picking it up) must not make the step late.
      const delayMs = Math.max(0, Date.parse(effect.dueAt) - deps.clock.now().getTime());
      await deps.scheduler.scheduleStep(effect.ref, delayMs, effect.dueAt);
      return inc;
    }
    case 'cancel_steps':
      await deps.scheduler.cancelSteps(ws, inc.number, effect.generation);
      return inc;
    case 'set_topic': {
      const now = await fresh(deps, inc);
      if (now.channelId) await chat.setTopic(ws, now.channelId, topicOf(deps, now));
      return now;
    }
    case 'refresh_summary':
      return refreshSummary(deps, await fresh(deps, inc));
    case 'write_postmortem':
      return writePostmortem(deps, inc, effect.actor);
    case 'schedule_reminder':
      await arm(deps, reminderTimer(deps, await fresh(deps, inc)));
      return inc;
    case 'schedule_roles_check':
      await arm(deps, rolesTimer(deps, await fresh(deps, inc)));
      return inc;
    case 'post_checklist':
      return postChecklist(deps, await fresh(deps, inc));
    case 'refresh_checklist':
      return refreshChecklist(deps, await fresh(deps, inc), (job, run) => editOrQueue(deps, job, run));
    case 'schedule_drill_step':
      await arm(deps, drillTimer(await fresh(deps, inc)));
      return inc;
    case 'index_stats':
      return indexStats(deps, inc);
    case 'schedule_review_reminders':
      await armReviewReminders(deps, await fresh(deps, inc));
      return inc;
    case 'sync_followups':
      await syncFollowups(deps, await fresh(deps, inc));
      return inc;
    case 'followup_done':
      // One per item and owner, whichever entry carries it (an item is done once).
      await deps.scheduler.send({ id: outboundJobId(['fu', ws, inc.number, effect.itemId, 'done']), workspace: ws, kind: 'dm', target: effect.user.id, message: effect.message });
      return inc;
  }
}

/**
 * The writer's own try of a page DM it just queued, without waiting for a queue worker: when the
 * workers are busy (an alert storm queues hundreds of pages at once) the hop costs a page hundreds
 * of milliseconds. The queued job stays the delivery that counts: the try holds the page's send
 * claim (escalation.ts deliverEagerly), so a worker that starts meanwhile waits for it and finds
 * the page sent; whatever the try meets (a rate limit, an outage, a crash of this process), the
 * queued job delivers the page as it always did.
 */
function sendEagerly(deps: Deps, job: OutboundJob): void {
  void deliverEagerly(deps, job).catch((err: unknown) => deps.log.info({ jobId: job.id, err: (err as Error).message }, 'eager page DM left to the queue'));
}

async function fresh(deps: Deps, inc: Incident): Promise<Incident> {
  return (await deps.store.get(inc)) ?? inc;
}

function topicOf(deps: Deps, inc: Incident): string {
  return deps.t('channel.topic', { ref: inc.ref, severity: inc.severity, title: inc.title });
}

/**
 * Opens the incident's channel, unless an earlier try already did. A refusal that will not go
 * away by itself (a missing scope, a restricted action) goes on the timeline once per reason,
 * and the channel is tried again later: the incident is reachable meanwhile as `INC-n`.
 */
/**
 * Channels this process made whose `channel_created` is not recorded yet, per Deps (one bot).
 * Held in memory only: a crash between the two still leaves a second channel on the next try
 * (docs/paging.md), a Redis blip no longer does.
 */
const unrecorded = new WeakMap<Deps, Map<string, ChannelRef>>();
function unrecordedChannels(deps: Deps): Map<string, ChannelRef> {
  let made = unrecorded.get(deps);
  if (!made) unrecorded.set(deps, (made = new Map()));
  return made;
}

async function openChannel(deps: Deps, inc: Incident): Promise<Incident> {
  // A channel for an incident that ended while its channel kept failing would help nobody.
  if (inc.channelId || isTerminal(inc.status)) return inc;
  const wanted = channelName(deps.config.channels.prefix, inc.number, inc.title);
  const made = unrecordedChannels(deps);
  const key = `${inc.workspace}#${inc.number}`;
  try {
    // A channel made on an earlier try whose recording failed (a Redis blip) is used, not made again as `…-2`.
    const channel = made.get(key) ?? (await deps.chat.createChannel(inc.workspace, wanted, { topic: topicOf(deps, inc), private: inc.private, members: channelMembers(inc) }));
    made.set(key, channel);
    const body = { type: 'channel_created' as const, channelId: channel.id, channelName: channel.name };
    // `current`: the state this effect was handed saves a read; a stale one only costs a retry.
    // The channel's own entries (invite, summary, ...) complete in their own run, under their own
    // lease: deferred to this entry's completion they would sit done but unmarked and unleased.
    const { after } = await record(deps, inc, (current) => (current.channelId ? [] : [event(body, BOT, deps.clock.now())]), { current: inc });
    made.delete(key);
    return after;
  } catch (err) {
    const reason = err instanceof PlatformError ? err.message : 'unexpected error';
    if (err instanceof PlatformError && inc.channelError !== reason) {
      await record(deps, inc, (current) => (current.channelId || current.channelError === reason ? [] : [event({ type: 'channel_failed', reason }, BOT, deps.clock.now())]));
    }
    throw err;
  }
}

/**
 * Sends a channel post once per outbox entry: skipped when marked sent, marked right after.
 * When the platform pushes back (a 429, a 5xx, a timeout) the message moves to the outbound
 * queue under the same id, which retries it until it lands (and checks the same mark).
 */
async function sendOnce(deps: Deps, job: OutboundJob, now: () => Promise<unknown>, o: PerformOptions = {}): Promise<void> {
  const mark = `sent:${job.id}`;
  // The writer's first run of its own fresh entry cannot race anyone: the entry was leased to it
  // from the moment it existed. Its mark may go out with the entry's completion: until the
  // entry is completed nobody else runs it before the lease ends, and once it is, nobody runs it.
  if (o.firstRun) return postOrQueue(deps, job, now, mark, o.defer);
  // Otherwise claimed, not just checked: two relays on one entry (a lease that ran out under a
  // stall) must not both post. The mark is read under the claim; the loser tries again later.
  const done = await whileClaimed(deps, `sending:${job.id}`, async () => {
    if (await deps.oncall.done(mark)) return;
    await postOrQueue(deps, job, now, mark);
  });
  if (done === TAKEN) throw new PlatformError('message being sent by another relay', 'transient');
}

async function postOrQueue(deps: Deps, job: OutboundJob, now: () => Promise<unknown>, mark: string, defer?: PerformOptions['defer']): Promise<void> {
  try {
    await now();
  } catch (err) {
    if (err instanceof PlatformError && err.kind === 'permanent') throw err;
    deps.log.warn({ jobId: job.id, workspace: job.workspace, err: (err as Error).message }, 'message queued for retry');
    await deps.scheduler.send(job);
    return;
  }
  const marked = deps.oncall.markDone(mark, SENT_TTL_S);
  if (defer) defer(marked);
  else await marked;
}

/** How long a sent mark is kept: longer than any outbox entry or queued message lives. */
export const SENT_TTL_S = 7 * 24 * 3600;

/** Direct edit first, queued on a platform hiccup; a queued edit renders the latest state at delivery. */
async function editOrQueue(deps: Deps, job: OutboundJob, edit: () => Promise<unknown>): Promise<void> {
  try {
    await edit();
  } catch (err) {
    if (err instanceof PlatformError && err.kind === 'permanent') throw err;
    deps.log.warn({ jobId: job.id, workspace: job.workspace, err: (err as Error).message }, 'message queued for retry');
    await deps.scheduler.send(job);
  }
}

async function showPageOutcome(deps: Deps, inc: Incident, pageId: string, eid: string): Promise<void> {
  const page = findPage(inc, pageId);
  const message = page && pageOutcomeMessage(inc, page, deps.t, pagingOptions(deps));
  if (!page?.dm || !message) return;
  const dm = page.dm;
  const job = { id: outboundJobId(['fx', inc.workspace, eid]), workspace: inc.workspace, kind: 'update' as const, target: dm.channelId, messageId: dm.messageId, message, outcomeOf: { number: inc.number, pageId } };
  await editOrQueue(deps, job, () => deps.chat.update(inc.workspace, dm, message));
}

/** The outcome a queued page DM edit shows when it is delivered (the incident may have moved on). */
export function renderPageOutcome(deps: Deps, inc: Incident | null, pageId: string): OutboundMessage | undefined {
  const page = inc ? findPage(inc, pageId) : undefined;
  return inc && page ? pageOutcomeMessage(inc, page, deps.t, pagingOptions(deps)) : undefined;
}

export async function refreshSummary(deps: Deps, inc: Incident): Promise<Incident> {
  if (!inc.channelId) return inc;
  const message = renderSummary(deps, inc);
  if (inc.summaryMessageId) {
    const ref = { channelId: inc.channelId, messageId: inc.summaryMessageId };
    // Queued, the edit is rendered again when it is delivered: a late retry never puts back an older summary.
    const job = { id: outboundJobId(['sum', inc.workspace, inc.number, inc.version]), workspace: inc.workspace, kind: 'update' as const, target: ref.channelId, messageId: ref.messageId, message, summaryOf: inc.number };
    await editOrQueue(deps, job, () => deps.chat.update(inc.workspace, ref, message));
    return inc;
  }
  const ref = await deps.chat.post(inc.workspace, inc.channelId, message);
  const body = { type: 'summary_posted' as const, messageId: ref.messageId };
  const { after } = await record(deps, inc, (current) => (current.summaryMessageId ? [] : [event(body, BOT, deps.clock.now())]), { current: inc });
  await pinQuietly(deps, inc.workspace, ref);
  return after;
}

export function renderSummary(deps: Deps, inc: Incident): OutboundMessage {
  return summaryMessage(inc, { t: deps.t, severities: deps.config.severities, timeZone: deps.config.timeZone, now: deps.clock.now() });
}

/**
 * Renders the draft, writes its file, records where it went, and posts the close and the draft in
 * the channel, each through the claim path (sendOnce): a writer that stalled past its lease while
 * the relay took the entry over must not post them a second time.
 */
async function writePostmortem(deps: Deps, inc: Incident, actor: string): Promise<Incident> {
  const events: IncidentEvent[] = await deps.store.events(inc);
  const markdown = renderPostmortem(inc, events, {
    t: deps.t,
    timeZone: deps.config.timeZone,
    severityName: (id) => deps.config.severities.find((s) => s.id === id)?.name ?? id,
    now: deps.clock.now(),
  });
  const path = await deps.postmortems.write(inc, markdown);
  const { after } = await record(deps, inc, () => [event({ type: 'postmortem_written', path }, BOT, deps.clock.now())], { current: inc });
  if (inc.channelId) {
    const channelId = inc.channelId;
    const posts = [{ text: deps.t('post.closed', { actor, ref: inc.ref, path }) }, { text: draftText(deps.t, inc.ref, markdown, path) }];
    for (const [i, message] of posts.entries()) {
      const job = { id: outboundJobId(['pm', inc.workspace, inc.number, i]), workspace: inc.workspace, kind: 'post' as const, target: channelId, message };
      await sendOnce(deps, job, () => deps.chat.post(inc.workspace, channelId, message));
    }
    // issue 12: `/incident postmortem` does not post this same draft again (postmortem-draft.ts).
    await rememberPosted(deps, inc, digestOf(deps, markdown, path, deps.clock.now()));
  }
  return after;
}
