import type { Command } from '../src/app/context.js';
import { ack } from './ack.js';
import { action } from './action.js';
import { cancel } from './cancel.js';
import { close } from './close.js';
import { cover } from './cover.js';
import { declare } from './declare.js';
import { escalate } from './escalate.js';
import { help } from './help.js';
import { list } from './list.js';
import { note } from './note.js';
import { oncall } from './oncall.js';
import { page } from './page.js';
import { policy } from './policy.js';
import { resolve } from './resolve.js';
import { role } from './role.js';
import { sev } from './sev.js';
import { status } from './status.js';
import { timeline } from './timeline.js';

/** Every `/incident` subcommand, in the order help shows them. Listed by hand on purpose: a test checks no file is left out. */
export const commands: readonly Command[] = [
  declare,
  status,
  sev,
  role,
  note,
  timeline,
  action,
  ack,
  page,
  escalate,
  resolve,
  close,
  cancel,
  list,
  oncall,
  cover,
  policy,
  help,
];
