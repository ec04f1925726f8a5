import { splitArgs } from '../src/core/args.js';
import { IncidentError } from '../src/core/errors.js';
import { chatTime } from '../src/core/chat-time.js';
import { schedule } from '../src/core/rotation.js';
import { parseWhen } from '../src/core/when.js';
import type { Command } from '../src/app/context.js';
import { findRotation } from '../src/app/oncall.js';

export const oncall: Command = {
  name: 'oncall',
  usage: 'usage.oncall',
  help: 'help.oncall',
  scope: 'anywhere',
  async run({ deps, inv, args }) {
    const { positionals, flags } = splitArgs(args, { at: 'value' }, 'usage.oncall');
    const rotations = positionals[0] ? [findRotation(deps, positionals[0])] : deps.config.rotations;
    if (rotations.length === 0) return { text: deps.t('reply.no_rotations') };
    const now = deps.clock.now();
    const overrides = await deps.oncall.overrides(inv.workspace, now);
    const lines: string[] = [];
    for (const rotation of rotations) {
      const at = typeof flags.at === 'string' ? parseWhen(flags.at, rotation.timeZone, now) : now;
      if (!at) throw new IncidentError('bad_time', { value: String(flags.at) });
      const [current, ...next] = schedule(rotation, at, 3, overrides[rotation.id] ?? []);
      const who = (id: string | null) => (id ? `<@${id}>` : deps.t('summary.nobody'));
      const when = (d: Date) => chatTime(d.toISOString(), rotation.timeZone);
      lines.push(deps.t('reply.oncall_head', { rotation: rotation.name ?? rotation.id, tz: rotation.timeZone, at: when(at) }));
      if (current) lines.push(deps.t('reply.oncall_now', { user: who(current.userId), until: when(current.to) }));
      for (const s of next) lines.push(deps.t('reply.oncall_next', { user: who(s.userId), from: when(s.from), until: when(s.to) }));
    }
    return { text: lines.join('\n') };
  },
};
