import type { Reply } from '../../app/context.js';
import type { Logger } from '../../core/ports.js';
import { renderMessage } from './blocks.js';
import type { SlackChat } from './slack-chat.js';

/**
 * Answers to the person who typed a command, pressed a button or submitted a form. The
 * `response_url` Slack put in the payload is preferred: it works in any channel, needs no scope
 * and no membership, and can be ephemeral. Without one (or when it has expired: 30 minutes,
 * 5 uses) the answer goes by DM, so the person is never left without one.
 */

const RESPONSE_TIMEOUT_MS = 10_000;

export interface ReplyTarget {
  workspace: string;
  userId: string;
  responseUrl?: string;
}

export async function replyTo(chat: SlackChat, log: Logger, target: ReplyTarget, reply: Reply): Promise<void> {
  if (target.responseUrl) {
    try {
      await postToResponseUrl(target.responseUrl, reply);
      return;
    } catch (err) {
      log.warn({ workspace: target.workspace, err: (err as Error).message }, 'slack response_url failed; answering by DM');
    }
  }
  try {
    await chat.dm(target.workspace, target.userId, reply);
  } catch (err) {
    log.error({ workspace: target.workspace, user: target.userId, err: (err as Error).message }, 'slack reply lost');
  }
}

export async function postToResponseUrl(url: string, reply: Reply): Promise<void> {
  const body = { response_type: reply.public ? 'in_channel' : 'ephemeral', replace_original: false, ...renderMessage(reply) };
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(RESPONSE_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`response_url answered HTTP ${res.status}`);
  await res.body?.cancel();
}
