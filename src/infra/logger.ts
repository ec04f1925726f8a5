import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino } from 'pino';
import type { Logger } from '../core/ports.js';

/** Anything that could carry a secret is blanked before a line is written. */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'signingSecret',
  '*.signingSecret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'redisUrl',
  '*.redisUrl',
];

/**
 * pino, writing JSON lines to a file (the local workspace owns the terminal) or to stdout
 * (servers, where the platform collects logs).
 */
export function createLogger(options: { level: string; file?: string }): Logger {
  const redact = { paths: REDACT_PATHS, censor: '[redacted]' };
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    return pino({ level: options.level, redact }, pino.destination({ dest: options.file, sync: false, mkdir: true }));
  }
  return pino({ level: options.level, redact });
}
