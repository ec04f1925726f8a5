import { alertProse } from './alerts/incident.js';
import { canSee } from './authz.js';
import { chatTime } from './chat-time.js';
import type { EscalationPolicy } from './escalation.js';
import type { Translate } from './i18n/index.js';
import { isActive, type Incident } from './model.js';
import type { OutboundMessage } from './ports.js';
import type { Override, Rotation } from './rotation-schema.js';
import { SEARCH_DAYS, onCallAt, schedule } from './rotation.js';
import { choosePolicy, type PagingConfig } from './routing.js';

/**
 * Shift handoffs (GoAlert's "you are now on call"): when the person on call in a rotation
 * changes, the person coming on call gets a DM with the open incidents the rotation answers for
 * and who they take over from, and the person going off call is told who took over. Pure: the
 * timers that fire at each boundary are src/app/handoff.ts and src/scheduler/handoff.ts.
 *
 * - A boundary is an instant where the person on call changes: a layer's handoff, a window
 *   (`days`/`hours`) opening or closing, an override starting or ending. A handoff from alice to
 *   alice is none (rotation.ts `schedule` merges such stretches), so nobody is told anything.
 * - Nobody coming on call (a gap): the person going off call is told nobody took over and until
 *   when, because the rotation's tier now pages nobody and they may want to set a cover. Nobody
 *   going off call: the person coming on call is told they start a fresh stretch.
 * - The incidents a rotation answers for are the active ones (investigating, identified,
 *   monitoring) whose policy names the rotation in any tier: the policy copied onto the
 *   incident when its escalation started, or else the one the config routes its severity and
 *   service to (routing.ts choosePolicy, as declare picks it). A private incident is listed
 *   only when the person coming on call may see it (authz.ts canSee); the others are left out,
 *   count included.
 */

/** A change of who is on call in one rotation. `null` is nobody. */
export interface Handoff {
  rotationId: string;
  at: Date;
  outgoing: string | null;
  incoming: string | null;
  /** End of the incoming stretch (of the gap, when nobody comes on call); a search limit cuts it. */
  until: Date;
}

/** One handoff timer: a rotation's boundary in one workspace. */
export interface HandoffRef {
  workspace: string;
  rotationId: string;
  /** The boundary, ISO. */
  at: string;
}

/** The durable timers behind handoffs (src/scheduler/handoff.ts): idempotent by ref. */
export interface HandoffTimers {
  /** Runs the handoff after `delayMs`; arming a ref that is pending or ran recently does nothing. */
  arm(ref: HandoffRef, delayMs: number): Promise<void>;
  /** Workspaces that have a handoff timer pending (the start-up sweep re-arms them too). */
  workspaces(): Promise<string[]>;
}

/**
 * How long after a boundary its handoff is still sent when its timer was missed (the bot was
 * down then) and the stretch it starts is still under way. Handoff jobs are kept longer than
 * this after they ran, so re-arming within it never sends a handoff twice.
 */
export const CATCH_UP_MS = 12 * 3_600_000;
const HORIZON_MS = SEARCH_DAYS * 86_400_000;

/** The handoff at `at`: who was on call just before it and who is at it; null when that is the same person (or nobody twice). */
export function handoffAt(rotation: Rotation, at: Date, overrides: readonly Override[] = []): Handoff | null {
  const t = at.getTime();
  const outgoing = onCallAt(rotation, new Date(t - 1), overrides)?.userId ?? null;
  const [stretch] = schedule(rotation, at, 1, overrides);
  const incoming = stretch?.userId ?? null;
  if (!stretch || outgoing === incoming) return null;
  return { rotationId: rotation.id, at: new Date(t), outgoing, incoming, until: stretch.to };
}

/** The first handoff after `now`, or null when nobody changes within the search limit (SEARCH_DAYS). */
export function nextHandoff(rotation: Rotation, now: Date, overrides: readonly Override[] = []): Handoff | null {
  const [current, next] = schedule(rotation, now, 2, overrides);
  if (!current || !next || current.userId === next.userId) return null;
  return { rotationId: rotation.id, at: next.from, outgoing: current.userId, incoming: next.userId, until: next.to };
}

/** The next handoff of each rotation (rotations without one within the search limit are left out). */
export function nextHandoffs(rotations: readonly Rotation[], now: Date, overrides: Readonly<Record<string, readonly Override[]>> = {}): Handoff[] {
  return rotations.flatMap((r) => nextHandoff(r, now, overrides[r.id] ?? []) ?? []);
}

/**
 * The boundaries a rotation's timers should wait on at `now`: the next handoff, and the one that
 * started the current stretch when that was less than `catchUpMs` ago (a timer a restart, a
 * cover starting now or a lost job missed). Arming both is idempotent (src/app/handoff.ts).
 */
export function handoffsToArm(rotation: Rotation, now: Date, overrides: readonly Override[] = [], catchUpMs = CATCH_UP_MS): Date[] {
  const [current] = schedule(rotation, now, 1, overrides);
  const out: Date[] = [];
  const from = current?.from.getTime() ?? -Infinity;
  if (from > now.getTime() - Math.min(catchUpMs, HORIZON_MS) && handoffAt(rotation, new Date(from), overrides)) out.push(new Date(from));
  const next = nextHandoff(rotation, now, overrides);
  if (next) out.push(next.at);
  return out;
}

function namesRotation(policy: EscalationPolicy | undefined, rotationId: string): boolean {
  return Boolean(policy?.tiers.some((tier) => tier.targets.some((t) => 'rotation' in t && t.rotation === rotationId)));
}

/** Whether the incident is one the rotation answers for (see the module comment). */
export function answersFor(c: PagingConfig, rotationId: string, inc: Incident): boolean {
  // A drill is practice: nobody coming on call inherits it.
  if (!isActive(inc.status) || inc.drill) return false;
  const started = inc.escalation?.snapshot?.policy;
  return namesRotation(started, rotationId) || namesRotation(choosePolicy(c, inc.severity, inc.service), rotationId);
}

/** The configured services whose incidents, of some severity, the config routes to a policy naming the rotation. */
export function coveredServices(c: PagingConfig & { severities: readonly { id: string }[] }, rotationId: string): string[] {
  return c.services.filter((s) => c.severities.some((sev) => namesRotation(choosePolicy(c, sev.id, s.id), rotationId))).map((s) => s.id);
}

/** A title as a line of a DM: no `<@…>`, `<#…>` or `<!…>` it could carry becomes a mention or a link. */
export function inertTitle(title: string): string {
  return alertProse(title).replace(/[\r\n]+/g, ' ');
}

/** Most incidents one handoff DM lists; the rest are counted. */
export const MAX_LISTED = 20;

export interface HandoffContext {
  rotation: Rotation;
  /** The workspace's incidents (any status: only the ones the rotation answers for are listed). */
  incidents: readonly Incident[];
  paging: PagingConfig & { severities: readonly { id: string }[] };
  admins: readonly string[];
}

export interface HandoffMessage {
  userId: string;
  role: 'incoming' | 'outgoing';
  message: OutboundMessage;
}

/** The DMs of a handoff: one to the person coming on call, one to the person going off call (nobody gets one twice). */
export function handoffMessages(t: Translate, h: Handoff, ctx: HandoffContext): HandoffMessage[] {
  if (h.incoming === h.outgoing) return [];
  const { rotation } = ctx;
  const when = (d: Date) => chatTime(d.toISOString(), rotation.timeZone);
  const base = { rotation: rotation.name ?? rotation.id, tz: rotation.timeZone, at: when(h.at), until: when(h.until) };
  const out: HandoffMessage[] = [];
  if (h.incoming) {
    const head = h.outgoing ? t('handoff.incoming', { ...base, outgoing: `<@${h.outgoing}>` }) : t('handoff.incoming_fresh', base);
    const lines = [head];
    const services = coveredServices(ctx.paging, rotation.id);
    if (services.length) lines.push(t('handoff.services', { services: services.join(', ') }));
    const viewer = h.incoming;
    const open = ctx.incidents.filter((inc) => answersFor(ctx.paging, rotation.id, inc) && canSee(inc, viewer, { admins: ctx.admins }));
    if (open.length === 0) lines.push(t('handoff.open_none'));
    else {
      lines.push(t('handoff.open_head', { count: open.length }));
      for (const inc of [...open].sort((a, b) => a.number - b.number).slice(0, MAX_LISTED)) {
        const channel = inc.channelId ? ` · <#${inc.channelId}>` : '';
        lines.push(t('handoff.open_item', { ref: inc.ref, severity: inc.severity, title: inertTitle(inc.title), channel }));
      }
      if (open.length > MAX_LISTED) lines.push(t('handoff.open_more', { count: open.length - MAX_LISTED }));
    }
    out.push({ userId: h.incoming, role: 'incoming', message: { text: lines.join('\n') } });
  }
  if (h.outgoing) {
    const text = h.incoming ? t('handoff.outgoing', { ...base, incoming: `<@${h.incoming}>` }) : t('handoff.outgoing_nobody', base);
    out.push({ userId: h.outgoing, role: 'outgoing', message: { text } });
  }
  return out;
}
