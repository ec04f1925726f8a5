import type { z } from 'zod';
import { IncidentError, type ErrorCode } from './errors.js';
import type { MessageKey } from './i18n/index.js';

/**
 * Turning the text after `/incident <name>` into values. Tokens split on spaces, quotes group
 * words, `--flag value` and `--flag=value` are options. Mentions arrive in the neutral form
 * `<@id>` or `<@id|name>` (adapters rewrite their platform's syntax into it).
 */

export interface RawArgs {
  positionals: string[];
  flags: Record<string, string | true>;
}

export type FlagSpec = Record<string, 'value' | 'boolean'>;

/** Opening quote → its closing quote. */
const QUOTES: Readonly<Record<string, string>> = { '"': '"', "'": "'", '“': '”' };

/** Exactly the characters of the regex class `\s`, compared as numbers: this runs once per character typed. */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

export function tokenize(text: string): string[] {
  // Shell-like: whitespace separates tokens, quotes group words at the start of a token or after
  // `=` (`--summary="cards fail"`) and are dropped; an apostrophe inside a word (don't) is kept.
  // One pass that copies slices, never a growing string it reads back: each character is looked
  // at a bounded number of times, so 1 MB of quotes costs what 1 MB of letters does.
  const tokens: string[] = [];
  let pieces: string[] | null = null;
  let afterEquals = false;
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    const closing = QUOTES[ch];
    if (closing !== undefined && (pieces === null || afterEquals)) {
      const found = text.indexOf(closing, i + 1);
      const end = found === -1 ? text.length : found;
      const quoted = text.slice(i + 1, end);
      (pieces ??= []).push(quoted);
      if (quoted) afterEquals = quoted.endsWith('=');
      i = end + 1;
    } else if (isSpace(text.charCodeAt(i))) {
      if (pieces !== null) tokens.push(joined(pieces));
      pieces = null;
      afterEquals = false;
      i++;
    } else {
      // The rest of the word: up to a space, or to a quote right after `=`, which opens a group.
      let j = i + 1;
      while (j < text.length && !isSpace(text.charCodeAt(j)) && !(text.charCodeAt(j - 1) === 0x3d && QUOTES[text.charAt(j)] !== undefined)) j++;
      (pieces ??= []).push(text.slice(i, j));
      afterEquals = text.charCodeAt(j - 1) === 0x3d;
      i = j;
    }
  }
  if (pieces !== null) tokens.push(joined(pieces));
  return tokens;
}

/** Most tokens are one piece: no join for them. */
function joined(pieces: string[]): string {
  return pieces.length === 1 ? (pieces[0] ?? '') : pieces.join('');
}

export function splitArgs(text: string, spec: FlagSpec, usage: MessageKey): RawArgs {
  const tokens = tokenize(text);
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/i.exec(token);
    if (!m) {
      positionals.push(token);
      continue;
    }
    const name = (m[1] ?? '').toLowerCase();
    const kind = spec[name];
    if (!kind) throw new IncidentError('unknown_flag', { flag: name, usageKey: usage });
    if (kind === 'boolean') {
      flags[name] = true;
      continue;
    }
    const next = tokens[i + 1];
    const value = m[2] ?? (next !== undefined && !next.startsWith('--') ? tokens[++i] : undefined);
    if (value === undefined || value === '') {
      throw new IncidentError('missing_argument', { whatKey: 'arg.flag_value', flag: name, usageKey: usage });
    }
    flags[name] = value;
  }
  return { positionals, flags };
}

const MENTION = /^<@!?([^>|]+)(?:\|([^>]*))?>$/;

/** The user id in a neutral mention, or null when the token is not one. */
export function mentionId(token: string): string | null {
  return MENTION.exec(token)?.[1] ?? null;
}


/**
 * Validates with a zod schema and turns the first problem into an IncidentError the user can
 * act on. Schemas mark domain problems with `params: { code, ...details }`.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, usage: MessageKey): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const params = (issue && 'params' in issue ? issue.params : undefined) as Record<string, string> | undefined;
  if (params?.code) {
    const { code, ...details } = params;
    throw new IncidentError(code as ErrorCode, { ...details, usageKey: usage });
  }
  const field = String(issue?.path[0] ?? 'text');
  if (issue?.code === 'invalid_type' || issue?.code === 'too_small') {
    throw new IncidentError('missing_argument', { whatKey: `arg.${field}`, usageKey: usage });
  }
  throw new IncidentError('bad_argument', { problem: `${field}: ${issue?.message ?? 'invalid'}`, usageKey: usage });
}

/** A zod refinement failure that carries one of our error codes. */
export function domainIssue(code: ErrorCode, details: Record<string, string>): { code: 'custom'; message: string; params: Record<string, string> } {
  return { code: 'custom', message: code, params: { code, ...details } };
}
