import { chatTime } from './chat-time.js';
import type { IncidentEvent } from './events.js';
import { isOverdue, type FollowupEntry, type ReminderKind } from './followups.js';
import { inertTitle } from './handoff.js';
import type { Translate } from './i18n/index.js';
import type { Actor, Incident } from './model.js';
import type { OutboundMessage } from './ports.js';

/**
 * What people read about follow-ups (issue 12): the reminder DMs, the owner's "marked done" DM,
 * the lines of `/incident actions` and the weekly digest. Item text is shown inert (no mention,
 * channel link or broadcast it carries becomes one); times are chat-time tokens, each reader in
 * their zone. A DM about a private incident carries its reference only, never the item's text (a
 * DM shows on lock screens; docs/security.md). Drills are practice: their items get no DM and
 * stay out of the digest; `/incident actions` marks them DRILL.
 */

/** Longest item text a line shows; the rest is cut with an ellipsis. */
const TEXT_MAX = 160;
/** Most items a list or a digest shows; the rest are counted. */
export const MAX_LISTED = 30;

function shortText(text: string): string {
  const safe = inertTitle(text);
  const chars = [...safe];
  return chars.length > TEXT_MAX ? `${chars.slice(0, TEXT_MAX - 1).join('')}…` : safe;
}

/** `due 2026-12-15 23:59`, or `due within 1 month after the resolve` for an incident not resolved yet. */
export function dueText(t: Translate, e: Pick<FollowupEntry, 'dueAt' | 'horizon'>, timeZone: string): string {
  if (!e.dueAt) return t('actions.due_pending', { horizon: t(`word.horizon.${e.horizon}`) });
  return t('actions.due', { time: chatTime(e.dueAt, timeZone) });
}

/** One line of a list: `• A3 · INC-7 · text · @owner · due … · overdue`. */
export function entryLine(t: Translate, e: FollowupEntry, o: { timeZone: string; now: Date; owner?: boolean }): string {
  const owner = o.owner === false ? '' : ` · ${e.owner ? `<@${e.owner.id}>` : t('actions.no_owner')}`;
  return t('actions.item', {
    id: e.id,
    ref: e.drill ? `${e.ref}${t('actions.drill')}` : e.ref,
    text: shortText(e.text),
    owner,
    due: dueText(t, e, o.timeZone),
    overdue: isOverdue(e, o.now) ? t('actions.overdue') : '',
  });
}

/** Overdue first, then by due date (none last), then by incident and item. */
export function byDue(a: FollowupEntry, b: FollowupEntry): number {
  const da = a.dueAt ? Date.parse(a.dueAt) : Infinity;
  const db = b.dueAt ? Date.parse(b.dueAt) : Infinity;
  if (da !== db) return da < db ? -1 : 1;
  return a.number - b.number || a.id.localeCompare(b.id, 'en', { numeric: true });
}

/** The DM to an item's owner: the day before, when it falls due, and weekly after; of a private incident without its text. */
export function reminderMessage(t: Translate, e: FollowupEntry, kind: ReminderKind, timeZone: string): OutboundMessage {
  const params = { id: e.id, ref: e.ref, text: e.private ? '' : shortText(e.text), due: e.dueAt ? chatTime(e.dueAt, timeZone) : '' };
  if (e.private) {
    const head = t(kind === 'before' ? 'followup.before_private' : kind === 'overdue' ? 'followup.overdue_private' : 'followup.weekly_private', params);
    return { text: `${head}\n${t('followup.private_hint', params)}\n${t('followup.how_done', params)}` };
  }
  const head = t(kind === 'before' ? 'followup.before' : kind === 'overdue' ? 'followup.overdue' : 'followup.weekly', params);
  return { text: `${head}\n${t('followup.how_done', params)}` };
}

/**
 * "bob marked A3 of INC-7 done", to the item's owner when someone else marked it done (the
 * outbox effect `followup_done`): once per item. None for a drill, an item without an owner, or
 * one its owner marked; of a private incident without its text.
 */
export function doneNotices(t: Translate, after: Incident, events: readonly IncidentEvent[]): { itemId: string; user: Actor; message: OutboundMessage }[] {
  if (after.drill) return [];
  return events.flatMap((e) => {
    if (e.type !== 'action_completed') return [];
    const item = after.actionItems.find((a) => a.id === e.id);
    if (!item?.owner || item.owner.id === e.actor.id) return [];
    const params = { by: `<@${e.actor.id}>`, id: item.id, ref: after.ref, text: shortText(item.text) };
    const text = t(after.private ? 'followup.done_by_private' : 'followup.done_by', params);
    return [{ itemId: item.id, user: item.owner, message: { text } }];
  });
}

/**
 * The weekly digest for the announcement channel: open follow-ups by owner (no owner last),
 * overdue ones marked. Items of private incidents are only counted: the channel is public. Those
 * of drills are left out. Null when nothing is open.
 */
export function digestMessage(t: Translate, all: readonly FollowupEntry[], o: { timeZone: string; now: Date }): OutboundMessage | null {
  const entries = all.filter((e) => !e.drill);
  if (entries.length === 0) return null;
  const shown = entries.filter((e) => !e.private);
  const hidden = entries.length - shown.length;
  const overdue = entries.filter((e) => isOverdue(e, o.now)).length;
  const lines = [t('digest.head', { open: entries.length, overdue })];
  const owners = new Map<string, FollowupEntry[]>();
  for (const e of [...shown].sort(byDue)) {
    const key = e.owner?.id ?? '';
    owners.set(key, [...(owners.get(key) ?? []), e]);
  }
  const order = [...owners.keys()].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
  let listed = 0;
  for (const owner of order) {
    const items = owners.get(owner) ?? [];
    if (listed >= MAX_LISTED) break;
    lines.push('', owner ? t('digest.owner', { owner: `<@${owner}>`, count: items.length }) : t('digest.nobody', { count: items.length }));
    for (const e of items.slice(0, MAX_LISTED - listed)) lines.push(entryLine(t, e, { ...o, owner: false }));
    listed += Math.min(items.length, MAX_LISTED - listed);
  }
  if (shown.length > listed) lines.push(t('actions.more', { count: shown.length - listed }));
  if (hidden > 0) lines.push(t('digest.private', { count: hidden }));
  lines.push('', t('digest.how'));
  return { text: lines.join('\n') };
}
