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
  'Authorization',
  '*.Authorization',
  '*.headers.Authorization',
];

/**
 * Errors are logged with their message, stack and code, but without what HTTP clients attach
 * (request config with the Authorization header, the raw request and response, a wrapped
 * original): those carry bot tokens and would sit in the log for anyone who can read it.
 */
export function errorSerializer(err: unknown): object {
  if (!(err instanceof Error)) return { value: String(err) };
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  for (const key of ['config', 'request', 'response', 'original', 'headers', 'requestBody']) delete out[key];
  return out;
}

/**
 * pino, writing JSON lines to a file (the local workspace owns the terminal) or to stdout
 * (servers, where the platform collects logs).
 */
export function createLogger(options: { level: string; file?: string; sync?: boolean }): Logger {
  const base = { level: options.level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers: { err: errorSerializer } };
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    return pino(base, pino.destination({ dest: options.file, sync: options.sync ?? false, mkdir: true }));
  }
  return pino(base);
}
