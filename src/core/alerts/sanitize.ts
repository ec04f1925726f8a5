import { createHash } from 'node:crypto';
import { cleanText } from '../text.js';
import type { AlertLink } from './types.js';

/**
 * Bounds on what one alert may make the bot store. A delivery is at most 512 KB (src/http), but
 * it is kept for the life of an incident and shown in chat: a huge or hostile payload must come
 * out small and plain, whatever it carried.
 */
export const ALERT_LIMITS = {
  summary: 1024,
  description: 4000,
  title: 1024,
  labels: 100,
  labelName: 128,
  labelValue: 1024,
  links: 20,
  linkLabel: 100,
  url: 2048,
  /** Longer group keys and fingerprints are replaced by their SHA-256: identity kept, size bounded. */
  key: 512,
  /** Alerts kept from one delivery; the rest count as truncated, like Alertmanager's max_alerts. */
  alerts: 1000,
} as const;

/** Text cut to `max` characters (the last one an ellipsis), never splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Free text (summaries, descriptions): controls and bidi overrides removed, then clipped. */
export function freeText(raw: string, max: number): string {
  return clip(cleanText(raw).trim(), max);
}

/** One line of text (label values, link labels): as freeText, with line breaks and tabs as spaces. */
export function oneLine(raw: string, max: number): string {
  return clip(cleanText(raw).replace(/[\t\n]/g, ' ').trim(), max);
}

/** The first argument that is a string with something in it. */
export function firstText(...candidates: (string | null | undefined)[]): string | undefined {
  return candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '');
}

/**
 * Labels as kept: at most ALERT_LIMITS.labels of them, names and values one line and clipped,
 * empty names dropped. Alertmanager labels are strings; the schema has refused anything else.
 */
export function cleanLabels(raw: Record<string, string> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (count >= ALERT_LIMITS.labels) break;
    const key = oneLine(name, ALERT_LIMITS.labelName);
    if (!key || key in out) continue;
    out[key] = oneLine(value, ALERT_LIMITS.labelValue);
    count++;
  }
  return out;
}

/**
 * A URL that may be shown as a link: absolute http or https, no credentials in it (a link to
 * `https://trusted.example@evil.example` reads as the first host), not longer than the limit.
 * Anything else (javascript:, data:, relative paths) is dropped, never repaired.
 */
export function safeUrl(raw: string | null | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (!text || text.length > ALERT_LIMITS.url) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  return url.href.length <= ALERT_LIMITS.url ? url.href : undefined;
}

/** Collects links: unsafe URLs and repeats of one URL dropped, at most ALERT_LIMITS.links. */
export class LinkList {
  readonly links: AlertLink[] = [];

  add(label: string, raw: string | null | undefined): void {
    const url = safeUrl(raw);
    if (!url || this.links.length >= ALERT_LIMITS.links || this.links.some((l) => l.url === url)) return;
    this.links.push({ label: oneLine(label, ALERT_LIMITS.linkLabel) || 'link', url });
  }
}

/**
 * An ISO-8601 instant, or undefined when the source did not say: missing, unparseable, or Go's
 * zero time (`0001-01-01T00:00:00Z`, which Alertmanager and Grafana send for "no end yet").
 */
export function instant(raw: string | null | undefined): string | undefined {
  if (typeof raw !== 'string' || raw.startsWith('0001-01-01')) return undefined;
  const ms = Date.parse(raw);
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return new Date(ms).toISOString();
}

/** A key (group key, fingerprint) kept as is when short, else as its SHA-256 so it stays one identity. */
export function boundedKey(raw: string): string {
  if (raw.length <= ALERT_LIMITS.key) return raw;
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}
