import * as base from './base.js';
import * as incidents from './incidents.js';
import * as insights from './insights.js';
import * as oncall from './oncall.js';
import * as playground from './playground.js';
import { format, type Params } from '../../core/i18n/index.js';

/** The dashboard's catalogs: every area's sentences, en and ko with the same keys. */
export const webEn = { ...base.en, ...incidents.en, ...oncall.en, ...insights.en, ...playground.en };
export type WebMessageKey = keyof typeof webEn;
export const webKo: Record<WebMessageKey, string> = { ...base.ko, ...incidents.ko, ...oncall.ko, ...insights.ko, ...playground.ko };

export type WebLang = 'en' | 'ko';
export type WebTranslate = (key: WebMessageKey, params?: Params) => string;

export function webTranslator(lang: WebLang): WebTranslate {
  const catalog: Record<WebMessageKey, string> = lang === 'ko' ? webKo : webEn;
  return (key, params) => format(catalog[key], params);
}

/**
 * The page's language: the first of the browser's Accept-Language choices we have (by quality),
 * else the config's locale.
 */
export function pickLang(acceptLanguage: string | undefined, fallback: string): WebLang {
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = rest.map((r) => /^\s*q=([0-9.]+)\s*$/.exec(r)?.[1]).find(Boolean);
      return { lang: tag.toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), i };
    })
    .filter((w) => w.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const w of wanted) if (w.lang === 'en' || w.lang === 'ko') return w.lang;
  return fallback === 'ko' ? 'ko' : 'en';
}
