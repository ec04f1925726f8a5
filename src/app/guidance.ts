import { checklistMessage } from '../core/checklist.js';
import { decideDrillSymptom, nextSymptom } from '../core/drills.js';
import { event } from '../core/events.js';
import { decideReminder, decideRolesReminder, decideSnooze, decideTakeRole, ROLES_REMINDER_MS, wantsAllRoles } from '../core/guidance.js';
import type { Actor, Incident } from '../core/model.js';
import { isActive } from '../core/model.js';
import type { StepRef } from '../core/ports.js';
import { BOT } from '../core/projection.js';
import { chatTime } from '../core/chat-time.js';
import { nextReminderAt } from '../core/summary.js';
import { outboundJobId } from '../scheduler/job-ids.js';
import type { Deps } from './context.js';
import { record } from './record.js';

/**
 * The guided response's timers and messages (issue 11): update reminders on the severity's
 * cadence, the one check for roles nobody holds, the pinned checklist. Timers are step jobs of
 * their own kinds (job-ids.ts `rem-…`), idempotent by id like escalation steps; each run
 * re-reads the incident and records at most one event by compare-and-set, so a timer that runs
 * twice, late, or after a restart reminds once.
 */

/** The timer of the incident's next update reminder (none when it is not active or has no channel). */
export function reminderTimer(deps: Deps, inc: Incident): { ref: StepRef; dueAt: string } | undefined {
  const at = nextReminderAt(inc, deps.config.severities);
  if (!at) return undefined;
  const ref: StepRef = { workspace: inc.workspace, number: inc.number, generation: 0, step: Math.floor(at.getTime() / 1000), kind: 'update_due' };
  return { ref, dueAt: at.toISOString() };
}

/** The roles check of a P1/P2 that has not had it yet. */
export function rolesTimer(deps: Deps, inc: Incident): { ref: StepRef; dueAt: string } | undefined {
  if (inc.rolesReminded || !isActive(inc.status) || !inc.channelId || !wantsAllRoles(inc, deps.config.severities)) return undefined;
  if (inc.roles.comms && inc.roles.scribe) return undefined;
  const ref: StepRef = { workspace: inc.workspace, number: inc.number, generation: 0, step: 0, kind: 'roles_due' };
  return { ref, dueAt: new Date(Date.parse(inc.declaredAt) + ROLES_REMINDER_MS).toISOString() };
}

/** The timer of a drill's next symptom. */
export function drillTimer(inc: Incident): { ref: StepRef; dueAt: string } | undefined {
  const next = nextSymptom(inc);
  if (!next || !inc.channelId) return undefined;
  return { ref: { workspace: inc.workspace, number: inc.number, generation: 0, step: next.index, kind: 'drill_step' }, dueAt: next.at.toISOString() };
}

export async function arm(deps: Deps, timer: { ref: StepRef; dueAt: string } | undefined, options: { replaceFailed?: boolean } = {}): Promise<void> {
  if (!timer) return;
  const delayMs = Math.max(0, Date.parse(timer.dueAt) - deps.clock.now().getTime());
  await deps.scheduler.scheduleStep(timer.ref, delayMs, timer.dueAt, options);
}

/** A reminder's or the roles check's timer ran. */
export async function runGuidanceStep(deps: Deps, ref: StepRef): Promise<void> {
  const key = { workspace: ref.workspace, number: ref.number };
  const current = await deps.store.get(key);
  if (!current) return;
  const now = deps.clock.now();
  const decide = (inc: Incident) => {
    if (ref.kind === 'roles_due') return decideRolesReminder(inc, deps.config.severities, now);
    if (ref.kind === 'drill_step') return decideDrillSymptom(inc, ref.step, now);
    return decideReminder(inc, deps.config.severities, now);
  };
  const { after, events } = await record(deps, key, decide, { current, background: deps.stepEffectsInBackground ?? false });
  if (events.length) deps.log.info({ incidentId: after.ref, workspace: ref.workspace, kind: ref.kind }, 'guided response reminder sent');
}

/** Snooze 15 min / Snooze 1 h on a reminder. */
export async function snoozeReminders(deps: Deps, incident: Incident, user: Actor, minutes: number): Promise<string> {
  const { after } = await record(deps, incident, (inc) => decideSnooze(inc, minutes, user, deps.clock.now()), { current: incident });
  const at = nextReminderAt(after, deps.config.severities);
  return deps.t('reply.snoozed', { ref: after.ref, time: at ? chatTime(at.toISOString(), deps.config.timeZone) : '—' });
}

/** Take comms / Take scribe on the roles reminder. */
export async function takeRole(deps: Deps, incident: Incident, user: Actor, role: 'comms' | 'scribe'): Promise<string> {
  const { after } = await record(deps, incident, (inc) => decideTakeRole(inc, role, user, deps.clock.now()), { current: incident });
  return deps.t('reply.role_taken', { ref: after.ref, role: deps.t(`word.role.${role}`) });
}

/** Posts the checklist in the channel, once, records its message and pins it. */
export async function postChecklist(deps: Deps, inc: Incident): Promise<Incident> {
  if (!inc.channelId || inc.checklistMessageId) return inc;
  const ref = await deps.chat.post(inc.workspace, inc.channelId, renderChecklist(deps, inc));
  const { after } = await record(deps, inc, (current) => (current.checklistMessageId ? [] : [event({ type: 'checklist_posted', messageId: ref.messageId }, BOT, deps.clock.now())]), { current: inc });
  await pinQuietly(deps, inc.workspace, ref);
  return after;
}

/** Rewrites the pinned checklist; a queued retry renders the incident as it is at delivery. */
export async function refreshChecklist(deps: Deps, inc: Incident, edit: (job: Parameters<Deps['scheduler']['send']>[0], run: () => Promise<unknown>) => Promise<void>): Promise<Incident> {
  if (!inc.channelId || !inc.checklistMessageId) return inc;
  const ref = { channelId: inc.channelId, messageId: inc.checklistMessageId };
  const message = renderChecklist(deps, inc);
  const job = { id: outboundJobId(['chk', inc.workspace, inc.number, inc.version]), workspace: inc.workspace, kind: 'update' as const, target: ref.channelId, messageId: ref.messageId, message, checklistOf: inc.number };
  await edit(job, () => deps.chat.update(inc.workspace, ref, message));
  return inc;
}

export function renderChecklist(deps: Deps, inc: Incident) {
  return checklistMessage(inc, deps.t, deps.config.timeZone);
}

/**
 * Pins a message the bot posted (the summary, the checklist). A pin that fails (no permission
 * to pin, a platform hiccup) is logged, not retried: the message is there either way.
 */
export async function pinQuietly(deps: Deps, workspace: string, ref: { channelId: string; messageId: string }): Promise<void> {
  try {
    await deps.chat.pin(workspace, ref);
  } catch (err) {
    deps.log.warn({ workspace, channelId: ref.channelId, err: (err as Error).message }, 'could not pin a message');
  }
}
