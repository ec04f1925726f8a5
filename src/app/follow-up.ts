import type { Logger } from '../core/ports.js';
import type { Reply } from './context.js';

/**
 * Runs a reply's follow-up (Reply.followUp) after the reply itself went out, and sends its note,
 * if any, the way the reply went (`send`). A follow-up that throws is logged and costs the person
 * nothing: they already have their answer.
 */
export async function runFollowUp(log: Logger, reply: Reply, send: (note: Reply) => Promise<void>): Promise<void> {
  if (!reply.followUp) return;
  let note: Reply | undefined;
  try {
    note = await reply.followUp();
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'reply follow-up failed');
    return;
  }
  if (!note) return;
  try {
    await send(note);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'reply follow-up note not sent');
  }
}
