import { pino } from 'pino';

/**
 * What takes the secrets out of a log line before it is written. Secrets reach logs inside
 * things logged for a good reason: an ioredis error carries the AUTH command with the password,
 * a discord.js error the webhook URL with the interaction token, an HTTP client error its
 * request headers. Field names alone cannot catch these (the URL sits in `err.url`, a stack, a
 * message), so every string is also matched against the shapes secrets have.
 */

export const CENSOR = '[redacted]';

/** Fields whose whole value is a secret, at any depth (compared in lower case, without `-`/`_`). */
const SECRET_KEYS = new Set([
  'authorization', 'proxyauthorization', 'cookie', 'setcookie',
  'password', 'passwd', 'secret', 'signingsecret', 'clientsecret',
  'token', 'bottoken', 'apptoken', 'accesstoken', 'refreshtoken', 'apikey',
  'responseurl', 'webhookurl', 'redisurl',
]);

/** What HTTP clients attach to their errors: the request (with Authorization), the raw response, a wrapped original. */
const HTTP_ERROR_KEYS = ['config', 'request', 'response', 'original', 'headers', 'requestBody'];

/** Patterns and replacements; every one leaves what tells an operator which call it was. */
const STRING_RULES: [RegExp, string][] = [
  // scheme://user:password@host: the password goes, user and host stay (as maskUrl does).
  // Scheme and user are bounded, so a long run of `a.a.a…` costs linear time, not quadratic.
  [/\b([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s:/@"'\\]{0,256}):([^\s/@"'\\]+)@/gi, '$1$2:***@'],
  // Discord webhook and interaction-callback URLs: /webhooks/<app id>/<token>, /interactions/<id>/<token>.
  [/(\/(?:webhooks|interactions)\/\d+\/)[^\s/?#"'\\]+/g, `$1${CENSOR}`],
  // Slack incoming webhooks and response_url (hooks.slack.com/services|commands|actions/…).
  [/\b(hooks\.slack(?:-gov)?\.com\/)[^\s"'\\]+/gi, `$1${CENSOR}`],
  // Slack tokens: bot, user, app-level, config, refresh.
  [/\b(xox[abposre]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]+/g, `$1-${CENSOR}`],
  // Authorization header values written out in text ("Bot <token>" is caught by the next rule:
  // a capitalised "Bot" before a word is too common in prose to match on).
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${CENSOR}`],
  // Discord bot tokens and JWTs: three dot-separated base64url parts.
  [/\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{20,}\b/g, CENSOR],
];

/** A string with every secret-shaped part replaced. */
export function scrubString(text: string): string {
  let out = text;
  for (const [pattern, replacement] of STRING_RULES) out = out.replace(pattern, replacement);
  return out;
}

const normalizedKey = (key: string): string => key.toLowerCase().replace(/[-_]/g, '');

/** Deep enough for any error we log (cause, previousErrors, rawError); deeper is cut, not walked. */
const MAX_DEPTH = 10;

/**
 * A copy of `value` with secrets taken out: Error objects serialized (message, stack, code and
 * their own fields, without HTTP client baggage), secret fields blanked, the arguments of Redis
 * commands dropped, and every string scrubbed. The input is never changed.
 */
export function scrub(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1, seen));
    if (value instanceof Date || Buffer.isBuffer(value)) return value;
    const source = value instanceof Error ? serializeError(value) : (value as Record<string, unknown>);
    return scrubFields(source, depth, seen);
  } finally {
    seen.delete(value);
  }
}

function scrubFields(source: Record<string, unknown>, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(source)) {
    if (SECRET_KEYS.has(normalizedKey(key)) && v !== undefined && v !== null && v !== '') out[key] = CENSOR;
    // The name says which call failed; the arguments are an AUTH's password, a HELLO's, or user data.
    else if (key === 'command' && isRedisCommand(v)) out[key] = { name: v.name, args: CENSOR };
    else out[key] = scrub(v, depth + 1, seen);
  }
  return out;
}

/** ioredis puts the failed command on its errors as `{ name, args }`. */
function isRedisCommand(v: unknown): v is { name: string; args: unknown } {
  return typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string' && 'args' in v;
}

function serializeError(err: Error): Record<string, unknown> {
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  for (const key of HTTP_ERROR_KEYS) delete out[key];
  return out;
}
