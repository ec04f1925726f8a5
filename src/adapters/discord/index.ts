import type { Deps } from '../../app/context.js';
import type { Env } from '../../config.js';
import type { ChatPort } from '../../core/ports.js';

/** Placeholder until the Discord adapter lands: refuses to start rather than pretending to. */
export async function startDiscord(_deps: Deps, _env: Env): Promise<{ chat: ChatPort; stop(): Promise<void> }> {
  throw new Error('The Discord adapter is not built yet; unset its credentials to run the local workspace.');
}
