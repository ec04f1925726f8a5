import { splitArgs } from '../src/core/args.js';
import type { Command } from '../src/app/context.js';
import { declareIncident } from '../src/app/declare.js';

export const declare: Command = {
  name: 'declare',
  usage: 'usage.declare',
  help: 'help.declare',
  scope: 'anywhere',
  async run({ inv, deps, args }) {
    const raw = splitArgs(args, { sev: 'value', service: 'value', summary: 'value', private: 'boolean', started: 'value' }, 'usage.declare');
    return declareIncident(deps, inv.workspace, inv.user, { ...raw.flags, title: raw.positionals.join(' ') });
  },
};
