import type { Deps } from '../../app/context.js';
import type { Env } from '../../config.js';
import type { ChatPort } from '../../core/ports.js';

/** Placeholder until the Slack adapter lands: refuses to start rather than pretending to. */
export async function startSlack(_deps: Deps, _env: Env): Promise<{ chat: ChatPort; stop(): Promise<void> }> {
  throw new Error('The Slack adapter is not built yet; unset its credentials to run the local workspace.');
}
