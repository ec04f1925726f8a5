import { z } from 'zod';
import { domainIssue } from '../core/args.js';
import type { MessageKey } from '../core/i18n/index.js';
import { charLength, cleanText, visibleTitle } from '../core/text.js';
import { ACTIVE_STATUSES, HORIZONS, ROLES, type ActiveStatus, type Horizon, type Role } from '../core/model.js';
import type { AppConfig } from '../config.js';

/**
 * zod pieces shared by the commands. Each accepts what people type (any case, `p1`, `1w`) and
 * fails with the error code whose message lists what would have been accepted.
 */

function oneOf<T extends string>(allowed: readonly T[], code: Parameters<typeof domainIssue>[0], normalise: (v: string) => string) {
  return z.string().transform((value, ctx): T => {
    const v = normalise(value);
    const hit = allowed.find((a) => a === v);
    if (hit === undefined) {
      ctx.addIssue(domainIssue(code, { value, allowed: allowed.join(', ') }));
      return z.NEVER;
    }
    return hit;
  });
}

export const severityId = (config: AppConfig) =>
  oneOf(
    config.severities.map((s) => s.id),
    'bad_severity',
    (v) => config.severities.find((s) => s.id.toLowerCase() === v.toLowerCase())?.id ?? v,
  );

export const serviceId = (config: AppConfig) =>
  z.string().transform((value, ctx) => {
    const v = value.toLowerCase();
    if (config.services.length === 0 || config.services.some((s) => s.id === v)) return v;
    ctx.addIssue(domainIssue('unknown_service', { value, allowed: config.services.map((s) => s.id).join(', ') }));
    return z.NEVER;
  });

export const activeStatus = oneOf<ActiveStatus>(ACTIVE_STATUSES, 'bad_status', (v) => v.toLowerCase());
export const role = oneOf<Role>(ROLES, 'bad_role', (v) => v.toLowerCase());
export const horizon = oneOf<Horizon>(HORIZONS, 'bad_horizon', (v) => {
  const s = v.toLowerCase();
  return ({ week: '1w', '1week': '1w', month: '1m', '1month': '1m', quarter: 'q', '1q': 'q' } as Record<string, string>)[s] ?? s;
});

/**
 * `build` once per key, then the same schema: a zod schema compiles itself on its first parse,
 * about 50 µs, far more than a parse of a cached one (under 1 µs), so a command should not build
 * its schema on every call. Keys are a text limit or the config object (held weakly).
 */
export function schemaPer<K extends number | object, S>(build: (key: K) => S): (key: K) => S {
  const numbers = new Map<K, S>();
  const objects = new WeakMap<object, S>();
  return (key) => {
    const known = typeof key === 'object' ? objects.get(key) : numbers.get(key);
    if (known !== undefined) return known;
    const schema = build(key);
    if (typeof key === 'object') objects.set(key, schema);
    else numbers.set(key, schema);
    return schema;
  };
}

/**
 * Free text someone types (a note, an update, a summary, a reason): cleaned (src/core/text.ts),
 * trimmed, and refused with `too_long` past `max` characters, naming the field (`whatKey`) so
 * the answer says what to shorten.
 */
export const limitedText = (max: number, whatKey: MessageKey) =>
  z.string().transform((value, ctx) => {
    const text = cleanText(value).trim();
    const length = charLength(text);
    if (length > max) {
      ctx.addIssue(domainIssue('too_long', { whatKey, max: String(max), length: String(length) }));
      return z.NEVER;
    }
    return text;
  });

/** How many times `max` a raw title may be before it is refused uncleaned (room for invisible characters to drop). */
const TITLE_SLACK = 10;

/** A title: normalized (src/core/text.ts), refused when nothing visible is left or when longer than `max`. */
export const titleText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .transform((value, ctx) => {
      // No honest title is mostly invisible characters: one this far past the limit is refused as typed, uncleaned.
      if (value.length > TITLE_SLACK * max) {
        ctx.addIssue(domainIssue('too_long', { whatKey: 'arg.title', max: String(max), length: String(charLength(value)) }));
        return z.NEVER;
      }
      const title = visibleTitle(value);
      if (title === null) {
        ctx.addIssue(domainIssue('invisible_title', {}));
        return z.NEVER;
      }
      const length = charLength(title);
      if (length > max) {
        ctx.addIssue(domainIssue('too_long', { whatKey: 'arg.title', max: String(max), length: String(length) }));
        return z.NEVER;
      }
      return title;
    });
