import { formatClock, formatTime } from '../core/durations.js';
import type { CoverOverride } from '../core/ports.js';
import { addDays, wallAt, type DateOnly } from '../core/rotation.js';
import { WEEKDAYS, instantToWall, type Layer, type Rotation } from '../core/rotation-schema.js';
import { html, queryString, type Html } from './html.js';
import type { WebTranslate } from './i18n/index.js';
import type { Piece } from './oncall-shifts.js';

/**
 * The week and month calendars of a rotation: an HTML table, one cell per day in the page's time
 * zone, each listing that day's shifts with the layer they come from and overrides marked. No
 * script: the previous/next links keep the view and the date in the URL. Pure.
 */

export type CalendarView = 'week' | 'month';

export interface CalendarRange {
  view: CalendarView;
  /** The days shown, Monday first, in whole weeks. */
  days: DateOnly[];
  /** The month a month view is of (its other days are shown muted). */
  month?: { year: number; month: number };
  from: Date;
  until: Date;
  prev: DateOnly;
  next: DateOnly;
}

const pad = (n: number) => String(n).padStart(2, '0');
export const isoDate = (d: DateOnly): string => `${d.year}-${pad(d.month)}-${pad(d.day)}`;
const weekday = (d: DateOnly): number => (new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7;
const same = (a: DateOnly, b: DateOnly) => a.year === b.year && a.month === b.month && a.day === b.day;

/** `YYYY-MM-DD` as a date that exists, else null. */
export function parseDate(text: string | undefined): DateOnly | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? '');
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day && year >= 1970 && year <= 9999 ? { year, month, day } : null;
}

export function today(now: Date, timeZone: string): DateOnly {
  const w = instantToWall(now.getTime(), timeZone);
  return { year: w.year, month: w.month, day: w.day };
}

/** The days of the week (Monday first) or of the month (in whole weeks) holding `date`. */
export function calendarRange(view: CalendarView, date: DateOnly, timeZone: string): CalendarRange {
  let first: DateOnly;
  let count: number;
  let prev: DateOnly;
  let next: DateOnly;
  let month: CalendarRange['month'];
  if (view === 'week') {
    first = addDays(date, -weekday(date));
    count = 7;
    prev = addDays(first, -7);
    next = addDays(first, 7);
  } else {
    const start = { year: date.year, month: date.month, day: 1 };
    const end = addDays({ year: date.year + (date.month === 12 ? 1 : 0), month: (date.month % 12) + 1, day: 1 }, -1);
    first = addDays(start, -weekday(start));
    count = Math.ceil((end.day + weekday(start)) / 7) * 7;
    prev = { year: date.year - (date.month === 1 ? 1 : 0), month: date.month === 1 ? 12 : date.month - 1, day: 1 };
    next = addDays(end, 1);
    month = { year: date.year, month: date.month };
  }
  const days = Array.from({ length: count }, (_, i) => addDays(first, i));
  const from = new Date(wallAt(first, 0, timeZone));
  const until = new Date(wallAt(addDays(first, count), 0, timeZone));
  return { view, days, ...(month ? { month } : {}), from, until, prev, next };
}

export interface CalendarInput {
  rotation: Rotation;
  range: CalendarRange;
  /** The shifts from `range.from` until `range.until` (oncall-shifts.ts piecesBetween). */
  pieces: readonly Piece[];
  /** The overrides that touch the range (config and `/incident cover`). */
  covers: readonly CoverOverride[];
  truncated: boolean;
  timeZone: string;
  now: Date;
  name: (userId: string) => string;
  t: WebTranslate;
}

/** The marks of a shift: the class names the stylesheet colours and the words that say the same. */
function marks(p: Piece, layers: number, t: WebTranslate): { cls: string; badge: string | null } {
  if (p.userId === null) return { cls: 'shift gap', badge: null };
  if (p.source === 'override') return { cls: 'shift override', badge: t('oncall.override') };
  const n = p.layer ?? 0;
  return { cls: `shift layer-${n % 6}`, badge: layers > 1 ? t('oncall.layer', { n: n + 1 }) : null };
}

function dayCell(day: DateOnly, input: CalendarInput, isToday: boolean, outside: boolean): Html {
  const { pieces, timeZone, t, rotation } = input;
  const lo = wallAt(day, 0, timeZone);
  const hi = wallAt(addDays(day, 1), 0, timeZone);
  const clock = (ms: number) => formatClock(new Date(ms).toISOString(), timeZone);
  const items = pieces
    .filter((p) => p.from.getTime() < hi && p.to.getTime() > lo)
    .map((p) => {
      const m = marks(p, rotation.layers.length, t);
      const start = p.from.getTime() >= lo ? clock(p.from.getTime()) : '…';
      const end = p.to.getTime() < hi ? clock(p.to.getTime()) : p.to.getTime() === hi ? '24:00' : '…';
      return html`<li class="${m.cls}"><span class="when">${start}–${end}</span> <span class="who">${p.userId === null ? t('oncall.cal.nobody') : input.name(p.userId)}</span>${m.badge ? html` <span class="badge">${m.badge}</span>` : ''}</li>`;
    });
  const cls = ['day', isToday ? 'today' : '', outside ? 'outside' : ''].filter(Boolean).join(' ');
  const label = input.range.view === 'week' ? isoDate(day) : String(day.day);
  return html`<td class="${cls}"${isToday ? html` aria-current="date"` : ''}><div class="date">${label}</div>${items.length ? html`<ul>${items}</ul>` : ''}</td>`;
}

/** The table of days. */
export function calendarTable(input: CalendarInput): Html {
  const { range, t } = input;
  const names = t('oncall.cal.weekdays').split(',');
  const now = today(input.now, input.timeZone);
  const rows: Html[] = [];
  for (let i = 0; i < range.days.length; i += 7) {
    const week = range.days.slice(i, i + 7);
    const outside = (d: DateOnly) => !!range.month && (d.month !== range.month.month || d.year !== range.month.year);
    rows.push(html`<tr>${week.map((d) => dayCell(d, input, same(d, now), outside(d)))}</tr>`);
  }
  return html`<table class="oncall-cal ${range.view}"><caption>${t('oncall.cal.caption', { rotation: input.rotation.name ?? input.rotation.id })}</caption>
<thead><tr>${names.map((n) => html`<th scope="col">${n}</th>`)}</tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** Previous / today / next and week / month, as links that keep the other choice in the URL. */
export function calendarNav(rotationId: string, range: CalendarRange, t: WebTranslate): Html {
  const base = `/oncall/${encodeURIComponent(rotationId)}`;
  const link = (view: CalendarView, date?: DateOnly) => `${base}${queryString({ view, date: date ? isoDate(date) : undefined })}`;
  // A week belongs to the month of its Thursday (as ISO weeks do).
  const anchor = range.month ? { ...range.month, day: 1 } : (range.days[3] as DateOnly);
  return html`<nav class="cal-nav">
<a href="${link(range.view, range.prev)}" rel="prev">${t('oncall.cal.prev')}</a>
<a href="${link(range.view)}">${t('oncall.cal.today')}</a>
<a href="${link(range.view, range.next)}" rel="next">${t('oncall.cal.next')}</a>
<span class="views">${range.view === 'week' ? html`<strong>${t('oncall.cal.week')}</strong>` : html`<a href="${link('week', anchor)}">${t('oncall.cal.week')}</a>`} · ${
    range.view === 'month' ? html`<strong>${t('oncall.cal.month')}</strong>` : html`<a href="${link('month', anchor)}">${t('oncall.cal.month')}</a>`
  }</span>
</nav>`;
}

export function calendarTitle(range: CalendarRange, t: WebTranslate): string {
  if (range.month) return t('oncall.cal.month_title', { year: range.month.year, month: range.month.month, mm: pad(range.month.month) });
  return t('oncall.cal.week_of', { date: isoDate(range.days[0] as DateOnly) });
}

function layerLine(layer: Layer, index: number, input: CalendarInput): Html {
  const { t } = input;
  const dayNames = t('oncall.cal.weekdays').split(',');
  const shift = t(`oncall.shift.${layer.shift.unit}`, { n: layer.shift.n });
  const parts = [t('oncall.layer_desc', { members: layer.members.map(input.name).join(', '), shift, handoff: layer.handoff }), t('oncall.layer_start', { date: layer.start })];
  if (layer.days || layer.hours) {
    const days = layer.days?.map((d) => dayNames[WEEKDAYS.indexOf(d)] ?? d).join(', ') ?? '';
    parts.push(t('oncall.layer_window', { days, hours: layer.hours ?? '' }).replace(/\s+/g, ' ').trim());
  }
  return html`<li class="shift layer-${index % 6}"><span class="badge">${t('oncall.layer', { n: index + 1 })}</span> ${parts.join(' · ')}</li>`;
}

/** The layers of the rotation and the overrides in view, below the calendar. */
export function calendarLegend(input: CalendarInput): Html {
  const { t, rotation, covers, timeZone } = input;
  const when = (iso: string) => formatTime(iso, timeZone);
  return html`<h2>${t('oncall.layers')}</h2>
<ul class="legend">${rotation.layers.map((l, i) => layerLine(l, i, input))}</ul>
<h2>${t('oncall.overrides')}</h2>
${
  covers.length
    ? html`<ul class="legend">${covers.map((c) => html`<li class="shift override"><span class="badge">${t('oncall.override')}</span> ${input.name(c.user)} · ${t('oncall.from_until', { from: when(c.from), until: when(c.to) })}</li>`)}</ul>`
    : html`<p class="muted">${t('oncall.no_overrides')}</p>`
}`;
}

/** The calendar part of a rotation's page: navigation, title, table, legend. */
export function calendarBody(input: CalendarInput): Html {
  const { t, range } = input;
  return html`${calendarNav(input.rotation.id, range, t)}
<h2>${calendarTitle(range, t)}</h2>
<p class="muted">${t('oncall.times_in', { tz: input.timeZone })}</p>
${input.truncated ? html`<p class="notice">${t('oncall.cal.truncated')}</p>` : ''}
${calendarTable(input)}
${calendarLegend(input)}`;
}
