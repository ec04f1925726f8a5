import type { Command } from '../src/app/context.js';
import { ack } from './ack.js';
import { action } from './action.js';
import { actions } from './actions.js';
import { cancel } from './cancel.js';
import { cause } from './cause.js';
import { checklist } from './checklist.js';
import { close } from './close.js';
import { cover } from './cover.js';
import { declare } from './declare.js';
import { drill } from './drill.js';
import { escalate } from './escalate.js';
import { help } from './help.js';
import { impact } from './impact.js';
import { lesson } from './lesson.js';
import { list } from './list.js';
import { note } from './note.js';
import { notice } from './notice.js';
import { oncall } from './oncall.js';
import { page } from './page.js';
import { policy } from './policy.js';
import { postmortem } from './postmortem.js';
import { reopen } from './reopen.js';
import { resolve } from './resolve.js';
import { role } from './role.js';
import { sev } from './sev.js';
import { stats } from './stats.js';
import { status } from './status.js';
import { summary } from './summary.js';
import { timeline } from './timeline.js';
import { update } from './update.js';
import { web } from './web.js';
import { why } from './why.js';

/** Every `/incident` subcommand, in the order help shows them. Listed by hand on purpose: a test checks no file is left out. */
export const commands: readonly Command[] = [
  declare,
  status,
  update,
  notice,
  sev,
  role,
  note,
  // issue 12: capture during the incident
  why,
  cause,
  impact,
  lesson,
  summary,
  timeline,
  action,
  actions,
  ack,
  page,
  escalate,
  resolve,
  reopen,
  close,
  postmortem,
  cancel,
  checklist,
  list,
  stats,
  drill,
  oncall,
  cover,
  policy,
  web,
  help,
];
