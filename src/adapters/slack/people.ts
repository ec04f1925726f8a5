import type { Actor } from '../../core/model.js';
import type { SlackChat } from './slack-chat.js';

/**
 * A Slack person as every path records them (commands, buttons, forms, messages, reactions):
 * the display name users.info gives, cached by SlackChat. Payloads name people differently (a
 * slash command's `user_name` is the login, `ualice`; a message carries no name at all), so
 * taking each payload's own name would show one person under two names. `fallback` (the
 * payload's name) is used only when Slack cannot tell, which beats the bare id.
 */
export async function slackActor(chat: Pick<SlackChat, 'userName'>, workspace: string, userId: string, fallback?: string): Promise<Actor> {
  const name = await chat.userName(workspace, userId);
  return { id: userId, name: name !== userId ? name : fallback || userId };
}
