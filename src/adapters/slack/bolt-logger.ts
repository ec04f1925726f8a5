import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../core/ports.js';

/**
 * Bolt and the WebClient log free text through their own Logger interface; this hands their
 * lines to the bot's logger (one JSON stream, one place for redaction) under fixed messages.
 * Debug lines are dropped: at that level the WebClient prints request bodies. Anything shaped
 * like a Slack token is blanked in case an SDK message ever quotes one.
 */

const TOKEN = /\b(xox[a-z]|xapp)-[A-Za-z0-9-]+/g;

function detail(parts: unknown[]): string {
  return parts
    .map((p) => (p instanceof Error ? p.message : typeof p === 'string' ? p : JSON.stringify(p)))
    .join(' ')
    .replace(TOKEN, '[redacted]')
    .slice(0, 2000);
}

export function boltLogger(log: Logger): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  return {
    debug: () => undefined,
    info: (...parts: unknown[]) => log.info({ detail: detail(parts) }, 'slack sdk'),
    warn: (...parts: unknown[]) => log.warn({ detail: detail(parts) }, 'slack sdk warning'),
    error: (...parts: unknown[]) => log.error({ detail: detail(parts) }, 'slack sdk error'),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
