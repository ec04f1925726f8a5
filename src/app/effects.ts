import type { IncidentEvent } from '../core/events.js';
import { event } from '../core/events.js';
import { effectsFor, type Effect } from '../core/effects.js';
import { PlatformError } from '../core/errors.js';
import type { Incident } from '../core/model.js';
import type { OutboundJob, OutboundMessage } from '../core/ports.js';
import { channelName } from '../core/naming.js';
import { renderPostmortem } from '../core/postmortem.js';
import { BOT } from '../core/projection.js';
import { summaryMessage } from '../core/summary.js';
import { mutate } from '../store/mutate.js';
import { outboundJobId } from '../scheduler/job-ids.js';
import type { Deps } from './context.js';

/**
 * Carries out what the core says should follow recorded events. Effects that record something
 * themselves (a channel id, the summary message id, the postmortem path) append a bookkeeping
 * event and react to it in turn. One failing effect is logged and does not stop the others:
 * the record is already safe in the store.
 */
export async function applyEffects(deps: Deps, incident: Incident, events: readonly IncidentEvent[], o: EffectOptions = {}): Promise<Incident> {
  let current = incident;
  let failure: unknown;
  const effects = effectsFor(incident, events, deps.t, { ackEmojis: deps.config.paging.ackEmojis });
  for (const [index, effect] of effects.entries()) {
    if (o.only && !o.only.has(effect.kind)) continue;
    try {
      current = await runEffect(deps, current, effect, `${incident.version}-${index}`);
    } catch (err) {
      deps.log.error({ err, incidentId: current.ref, workspace: current.workspace, effect: effect.kind }, 'effect failed');
      if (o.mustSucceed?.has(effect.kind)) failure ??= err;
    }
  }
  // After the others ran: a caller that can retry (a step job) redoes the idempotent ones.
  if (failure) throw failure;
  return current;
}

export interface EffectOptions {
  /** Run only these kinds (a step job repeating what an earlier run of it may have missed). */
  only?: ReadonlySet<Effect['kind']>;
  /** Throw (after running the rest) when one of these fails, instead of only logging it. */
  mustSucceed?: ReadonlySet<Effect['kind']>;
}

/** `slot` names the effect within its batch, for the deterministic id of a queued message. */
async function runEffect(deps: Deps, inc: Incident, effect: Effect, slot: string): Promise<Incident> {
  const { chat } = deps;
  const ws = inc.workspace;
  switch (effect.kind) {
    case 'open_channel': {
      const wanted = channelName(deps.config.channels.prefix, inc.number, inc.title);
      const topic = deps.t('channel.topic', { ref: inc.ref, severity: inc.severity, title: inc.title });
      const channel = await chat.createChannel(ws, wanted, { topic, private: inc.private });
      return record(deps, inc, [event({ type: 'channel_created', channelId: channel.id, channelName: channel.name }, BOT, deps.clock.now())]);
    }
    case 'invite':
      if (inc.channelId) await chat.invite(ws, inc.channelId, effect.userIds);
      return inc;
    case 'post':
      if (inc.channelId) {
        const channelId = inc.channelId;
        const job = { id: outboundJobId(['post', ws, inc.number, slot]), workspace: ws, kind: 'post' as const, target: channelId, message: effect.message };
        await orQueue(deps, job, () => chat.post(ws, channelId, effect.message));
      }
      return inc;
    case 'announce':
      await deps.scheduler.send({ id: outboundJobId(['ann', ws, inc.number, slot]), workspace: ws, kind: 'announce', message: effect.message });
      return inc;
    case 'page': {
      const page = { number: inc.number, userId: effect.user.id, step: effect.step, generation: effect.generation };
      // From the page itself, not the batch: a step job that runs again must produce the same id.
      const id = outboundJobId(['page', ws, inc.number, effect.generation, effect.step, effect.step < 0 ? effect.at : '', effect.user.id]);
      await deps.scheduler.send({ id, workspace: ws, kind: 'dm', target: effect.user.id, message: effect.message, page });
      return inc;
    }
    case 'schedule_step': {
      // Counted from now to the due time, not from when the event was recorded: the time spent
      // getting here (the write, earlier effects) must not make the step late.
      const delayMs = Math.max(0, Date.parse(effect.dueAt) - deps.clock.now().getTime());
      await deps.scheduler.scheduleStep(effect.ref, delayMs, effect.dueAt);
      return inc;
    }
    case 'cancel_steps':
      await deps.scheduler.cancelSteps(ws, inc.number);
      return inc;
    case 'refresh_summary':
      return refreshSummary(deps, inc);
    case 'write_postmortem':
      return writePostmortem(deps, inc, effect.actor);
  }
}

/**
 * Channel posts and summary edits go out at once, in order; when the platform pushes back (a 429,
 * a 5xx, a timeout) the message moves to the outbound queue, which retries it until it lands.
 */
async function orQueue(deps: Deps, job: OutboundJob, now: () => Promise<unknown>): Promise<void> {
  try {
    await now();
  } catch (err) {
    if (err instanceof PlatformError && err.kind === 'permanent') throw err;
    deps.log.warn({ jobId: job.id, workspace: job.workspace, err: (err as Error).message }, 'message queued for retry');
    await deps.scheduler.send(job);
  }
}

async function record(deps: Deps, inc: Incident, events: IncidentEvent[]): Promise<Incident> {
  const { after } = await mutate(deps.store, inc, () => events);
  return applyEffects(deps, after, events);
}

export async function refreshSummary(deps: Deps, inc: Incident): Promise<Incident> {
  if (!inc.channelId) return inc;
  const message = renderSummary(deps, inc);
  if (inc.summaryMessageId) {
    const ref = { channelId: inc.channelId, messageId: inc.summaryMessageId };
    // Queued, the edit is rendered again when it is delivered: a late retry never puts back an older summary.
    const job = { id: outboundJobId(['sum', inc.workspace, inc.number, inc.version]), workspace: inc.workspace, kind: 'update' as const, target: ref.channelId, messageId: ref.messageId, message, summaryOf: inc.number };
    await orQueue(deps, job, () => deps.chat.update(inc.workspace, ref, message));
    return inc;
  }
  const ref = await deps.chat.post(inc.workspace, inc.channelId, message);
  return record(deps, inc, [event({ type: 'summary_posted', messageId: ref.messageId }, BOT, deps.clock.now())]);
}

export function renderSummary(deps: Deps, inc: Incident): OutboundMessage {
  return summaryMessage(inc, { t: deps.t, severities: deps.config.severities, timeZone: deps.config.timeZone, now: deps.clock.now() });
}

async function writePostmortem(deps: Deps, inc: Incident, actor: string): Promise<Incident> {
  const events = await deps.store.events(inc);
  const markdown = renderPostmortem(inc, events, {
    t: deps.t,
    timeZone: deps.config.timeZone,
    severityName: (id) => deps.config.severities.find((s) => s.id === id)?.name ?? id,
    now: deps.clock.now(),
  });
  const path = await deps.postmortems.write(inc, markdown);
  const after = await record(deps, inc, [event({ type: 'postmortem_written', path }, BOT, deps.clock.now())]);
  if (inc.channelId) {
    const channelId = inc.channelId;
    const posts = [{ text: deps.t('post.closed', { actor, ref: inc.ref, path }) }, { text: `${deps.t('pm.posted_intro', { ref: inc.ref })}\n\n${markdown}` }];
    for (const [i, message] of posts.entries()) {
      const job = { id: outboundJobId(['pm', inc.workspace, inc.number, i]), workspace: inc.workspace, kind: 'post' as const, target: channelId, message };
      await orQueue(deps, job, () => deps.chat.post(inc.workspace, channelId, message));
    }
  }
  return after;
}
