import type { IncidentEvent } from './events.js';
import { dueAtOf } from './followups.js';
import type { ActionItem, Incident } from './model.js';

/**
 * The follow-up side of the projection (issue 12): due dates and completion times of action
 * items, and the one question asked on closing without any. projection.ts calls these.
 */

/** An action item as added: due at its typed date, or (added after the resolve) its horizon from now. */
export function addedItem(s: Incident, e: IncidentEvent & { type: 'action_added' }): ActionItem {
  const item: ActionItem = { ...e.item, status: 'open', createdAt: e.at };
  const dueAt = dueAtOf(item, s.resolvedAt);
  return dueAt ? { ...item, dueAt } : item;
}

/** Marked done: its completion time stays with it. */
export function completedItems(items: readonly ActionItem[], e: IncidentEvent & { type: 'action_completed' }): ActionItem[] {
  return items.map((a) => (a.id === e.id ? { ...a, status: 'done', completedAt: e.at } : a));
}

/** The resolve gives every item without a due date its horizon's (a due date once set is kept, through a reopen too). */
export function itemsAtResolve(items: readonly ActionItem[], resolvedAt: string): ActionItem[] {
  return items.map((a) => {
    if (a.dueAt) return a;
    const dueAt = dueAtOf(a, resolvedAt);
    return dueAt ? { ...a, dueAt } : a;
  });
}
