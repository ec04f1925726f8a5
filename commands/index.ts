import type { Command } from '../src/app/context.js';
import { action } from './action.js';
import { cancel } from './cancel.js';
import { close } from './close.js';
import { declare } from './declare.js';
import { help } from './help.js';
import { list } from './list.js';
import { note } from './note.js';
import { resolve } from './resolve.js';
import { role } from './role.js';
import { sev } from './sev.js';
import { status } from './status.js';
import { timeline } from './timeline.js';

/** Every `/incident` subcommand, in the order help shows them. Listed by hand on purpose: a test checks no file is left out. */
export const commands: readonly Command[] = [declare, status, sev, role, note, timeline, action, resolve, close, cancel, list, help];
