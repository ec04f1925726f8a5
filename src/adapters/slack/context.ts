import type { Command, Deps } from '../../app/context.js';
import type { Logger } from '../../core/ports.js';
import type { InFlight } from './in-flight.js';
import type { SlackChat } from './slack-chat.js';

/** What every Slack handler needs: the bot's Deps, the Slack chat port, and the post-ack tracker. */
export interface SlackContext {
  deps: Deps;
  chat: SlackChat;
  log: Logger;
  work: InFlight;
  commands: readonly Command[];
}
