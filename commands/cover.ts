import { z } from 'zod';
import { domainIssue, splitArgs, validate } from '../src/core/args.js';
import { IncidentError } from '../src/core/errors.js';
import { chatTime } from '../src/core/chat-time.js';
import type { CoverOverride } from '../src/core/ports.js';
import { onCallAt } from '../src/core/rotation.js';
import { authorizeCover } from '../src/core/authz.js';
import type { Command } from '../src/app/context.js';
import { rearmAfterCover } from '../src/app/handoff.js';
import { findRotation } from '../src/app/oncall.js';
import { resolveMention } from '../src/app/users.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

const duration = z.string().transform((value, ctx) => {
  const m = /^(\d+(?:\.\d+)?)(m|h|d|w)$/i.exec(value);
  const ms = m ? Number(m[1]) * UNIT_MS[(m[2] ?? 'm').toLowerCase() as keyof typeof UNIT_MS] : 0;
  if (ms > 0 && ms <= 365 * UNIT_MS.d) return ms;
  ctx.addIssue(domainIssue('bad_duration', { value }));
  return z.NEVER;
});

export const cover: Command = {
  name: 'cover',
  usage: 'usage.cover',
  help: 'help.cover',
  scope: 'anywhere',
  async run({ deps, inv, args }) {
    const raw = splitArgs(args, { rotation: 'value' }, 'usage.cover');
    const [userToken, length] = raw.positionals;
    const input = validate(z.object({ user: z.string(), duration }), { user: userToken, duration: length }, 'usage.cover');
    const user = await resolveMention(deps, inv.workspace, input.user);
    const now = deps.clock.now();
    const covers = await deps.oncall.overrides(inv.workspace, now);
    const rotation = typeof raw.flags.rotation === 'string' ? findRotation(deps, raw.flags.rotation) : defaultRotation(deps, inv.user.id, now, covers);
    // Who may redirect a rotation's pages, for how long, and to whom (src/core/authz.ts).
    authorizeCover(rotation, inv.user, user.id, input.duration, deps.config.limits.coverMaxMs, { admins: deps.config.admins });
    const count = covers[rotation.id]?.length ?? 0;
    if (count >= deps.config.limits.coversPerRotation) throw new IncidentError('cover_limit', { rotation: rotation.id, count });
    if (!(await deps.chat.isMember(inv.workspace, user.id))) throw new IncidentError('unknown_user', { user: user.id });
    const to = new Date(now.getTime() + input.duration);
    await deps.oncall.addOverride(inv.workspace, rotation.id, { user: user.id, from: now.toISOString(), to: to.toISOString() }, now);
    // The cover moves the rotation's boundaries: its start and end are handoffs (docs/paging.md).
    await rearmAfterCover(deps, inv.workspace, rotation);
    const until = chatTime(to.toISOString(), rotation.timeZone);
    return { text: deps.t('reply.covered', { user: user.id, rotation: rotation.id, until }), public: true };
  },
};

/** The rotation the person asking is on call for now, or the only rotation there is. */
function defaultRotation(deps: Parameters<Command['run']>[0]['deps'], userId: string, now: Date, covers: Record<string, CoverOverride[]>) {
  const rotations = deps.config.rotations;
  // On call by the schedule or through a cover: handing on a cover is covering too.
  const mine = rotations.find((r) => onCallAt(r, now, covers[r.id] ?? [])?.userId === userId);
  if (mine) return mine;
  if (rotations.length === 1 && rotations[0]) return rotations[0];
  throw new IncidentError('missing_argument', { whatKey: 'arg.rotation', usageKey: 'usage.cover' });
}
