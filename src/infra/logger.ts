import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type LoggerOptions } from 'pino';
import type { Logger } from '../core/ports.js';
import { CENSOR, scrub, scrubString } from './log-scrub.js';

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
  'Authorization',
  '*.Authorization',
  '*.headers.Authorization',
  'response_url',
  '*.response_url',
  'err.config.headers',
  'err.command.args',
];

/**
 * Errors are logged with their message, stack, code and own fields (an ioredis error's failed
 * command, a discord.js error's method and URL), scrubbed of secrets (log-scrub.ts), and without
 * what HTTP clients attach (request config with the Authorization header, the raw request and
 * response, a wrapped original).
 */
export function errorSerializer(err: unknown): object {
  if (err instanceof Error) return scrub(err) as object;
  // Already made a plain object by the log formatter below: serializing it again would lose it.
  if (typeof err === 'object' && err !== null) return err;
  return { value: scrubString(String(err)) };
}

/**
 * The options every logger of the app is built with. Three layers, because a secret can hide in
 * a field (redact paths and secret field names), in an object of any depth (the formatter walks
 * the whole line), or in text (a URL in a stack, a message, a child binding: the last pass
 * scrubs the serialized line itself).
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    serializers: { err: errorSerializer },
    formatters: { log: (object) => scrub(object) as Record<string, unknown> },
    hooks: { streamWrite: scrubString },
  };
}

/**
 * pino, writing JSON lines to a file (the local workspace owns the terminal) or to stdout
 * (servers, where the platform collects logs).
 */
export function createLogger(options: { level: string; file?: string; sync?: boolean }): Logger {
  const base = loggerOptions(options.level);
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    // Opened here, not by pino in the background: a bot that fails at start-up exits within
    // milliseconds, and pino's exit flush on a file not yet open throws instead of writing the
    // lines that say why.
    const fd = openSync(options.file, 'a');
    return pino(base, pino.destination({ dest: fd, sync: options.sync ?? false }));
  }
  return pino(base);
}
