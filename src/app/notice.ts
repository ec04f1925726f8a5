import type { AppConfig } from '../config.js';
import { authorize } from '../core/authz.js';
import { IncidentError } from '../core/errors.js';
import type { Actor, Incident, NoticeAudience } from '../core/model.js';
import { decideNotice, draftNotice, draftStamp, noticeValue, parseNoticeValue } from '../core/notice.js';
import type { ButtonAction } from '../core/ports.js';
import type { Deps, Reply } from './context.js';
import { record } from './record.js';

/**
 * Stakeholder notices (issue 11 item 3): the draft shown to its author with Post and Edit, and
 * the post itself, recorded as `notice_posted` so its delivery to the audience's channel leaves
 * through the outbox (effects.ts `notice`) like every other effect: a crash between the write and
 * the post loses nothing, and a relay that runs the entry twice posts once.
 */

/** The config key of an audience's channel, and the channel NAME it holds (none: notices cannot go out). */
export function noticeChannel(config: AppConfig, audience: NoticeAudience): { key: string; name?: string } {
  const key = audience === 'internal' ? 'stakeholders' : 'external';
  const name = config.channels[key]?.replace(/^#/, '');
  return { key: `channels.${key}`, ...(name ? { name } : {}) };
}

/** The channel a notice goes to, or the answer that says which key to set (nothing is written). */
export function requireNoticeChannel(config: AppConfig, audience: NoticeAudience, t: Deps['t']): string {
  const { key, name } = noticeChannel(config, audience);
  if (!name) throw new IncidentError('notice_no_channel', { key, audience: t(`word.audience.${audience}`) });
  return name;
}

/** The notice as drafted now from the incident and its timeline. */
export async function noticeDraft(deps: Deps, inc: Incident, audience: NoticeAudience): Promise<string> {
  const events = await deps.store.events(inc);
  return draftNotice(inc, events, audience, { t: deps.t, severities: deps.config.severities, timeZone: deps.config.timeZone, templates: deps.config.notices });
}

/** The private answer with the draft: what it is, where it would go, and Post / Edit. */
export function draftReply(deps: Deps, inc: Incident, audience: NoticeAudience, draft: string, channel: string): Reply {
  const { t } = deps;
  const head = t('notice.draft_head', { audience: t(`word.audience.${audience}`), ref: inc.ref, channel });
  return {
    text: `${head}\n\n${draft}`,
    actions: [
      { id: `notice_${audience}`, label: t('notice.button_post'), value: noticeValue(inc.number, draftStamp(draft)), style: 'primary' },
      { id: `notice_edit_${audience}`, label: t('notice.button_edit'), value: noticeValue(inc.number) },
    ],
  };
}

/** Records the notice; its post to the channel and the line in the incident channel follow from the outbox. */
export async function postNotice(deps: Deps, inc: Incident, audience: NoticeAudience, text: string, user: Actor): Promise<string> {
  const channel = requireNoticeChannel(deps.config, audience, deps.t);
  const { after } = await record(deps, inc, (current) => decideNotice(current, audience, text, user, deps.clock.now()), { current: inc });
  return deps.t('reply.notice_posted', { audience: deps.t(`word.audience.${audience}`), ref: after.ref, channel });
}

/** Which notice button this is: its audience, and whether it is Edit. */
export function noticeButton(action: ButtonAction): { audience: NoticeAudience; edit: boolean } | undefined {
  const m = /^notice_(edit_)?(internal|external)$/.exec(action);
  return m ? { audience: m[2] as NoticeAudience, edit: Boolean(m[1]) } : undefined;
}

/**
 * The incident a notice button is about, once the person pressing it may post its notices (the
 * button's value comes from the client and can be forged; the rule is the command's).
 */
export async function noticeButtonIncident(deps: Deps, workspace: string, user: Actor, value: string): Promise<{ incident: Incident; stamp?: string } | null> {
  const v = parseNoticeValue(value);
  const incident = v ? await deps.store.get({ workspace, number: v.number }) : null;
  if (!v || !incident) return null;
  authorize(incident, user, 'notice', { admins: deps.config.admins });
  return { incident, ...(v.stamp ? { stamp: v.stamp } : {}) };
}

/**
 * Post on a draft: posts the draft as it is now, only when it is still the one the author was
 * shown (the stamp matches); Edit, where the platform has no form, says how to post other words.
 */
export async function pressNotice(deps: Deps, b: { workspace: string; user: Actor; action: ButtonAction; value: string }): Promise<string> {
  const kind = noticeButton(b.action);
  const found = kind ? await noticeButtonIncident(deps, b.workspace, b.user, b.value) : null;
  if (!kind || !found) return deps.t('error.button_incident_gone');
  const { incident, stamp } = found;
  if (kind.edit) return deps.t('reply.notice_edit_how', { ref: incident.ref, audience: kind.audience });
  requireNoticeChannel(deps.config, kind.audience, deps.t);
  const draft = await noticeDraft(deps, incident, kind.audience);
  if (stamp && draftStamp(draft) !== stamp) throw new IncidentError('notice_changed', { ref: incident.ref, audience: kind.audience });
  return postNotice(deps, incident, kind.audience, draft, b.user);
}
