import { en, type MessageKey } from './en.js';
import { ko } from './ko.js';

export type { MessageKey };
export type Catalog = Record<MessageKey, string>;
export type Params = Record<string, string | number | undefined>;
export type Translate = (key: MessageKey, params?: Params) => string;

const catalogs: Record<string, Catalog> = { en, ko };

export const LOCALES = ['en', 'ko'] as const;

/** Fills `{name}` placeholders; a missing parameter is left visible so the gap is noticed. */
export function format(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : String(v);
  });
}

export function translator(locale: string): Translate {
  const catalog = catalogs[locale] ?? en;
  return (key, params) => format(catalog[key], params);
}
