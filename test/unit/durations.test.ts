import { describe, expect, it } from 'vitest';
import { between, formatClock, formatDate, formatDuration, formatPreciseDuration, formatTime } from '../../src/core/durations.js';
import { translator } from '../../src/core/i18n/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('formatDuration', () => {
  it.each([
    [0, 'under a minute'],
    [59_999, 'under a minute'],
    [-5 * MIN, 'under a minute'],
    [Number.NaN, 'under a minute'],
    [MIN, '1 min'],
    [47 * MIN, '47 min'],
    [47 * MIN + 59_000, '47 min'],
    [38 * MIN, '38 min'],
    [90 * MIN, '1 h 30 min'],
    [2 * HOUR, '2 h'],
    [2 * HOUR + 15 * MIN, '2 h 15 min'],
    [DAY, '1 d'],
    [DAY + 3 * HOUR, '1 d 3 h'],
    [DAY + 3 * HOUR + 59 * MIN, '1 d 3 h'],
    [DAY + 30 * MIN, '1 d'],
    [3 * DAY + 23 * HOUR, '3 d 23 h'],
  ])('%d ms reads "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('uses the catalog it is given', () => {
    const t = (key: string, p?: Record<string, string | number | undefined>) => `${key}:${JSON.stringify(p ?? {})}`;
    expect(formatDuration(2 * HOUR + 15 * MIN, t)).toBe('word.duration.hours_minutes:{"h":2,"m":15}');
  });
});

describe('formatPreciseDuration', () => {
  const SEC = 1000;
  it.each([
    [0, '0 s'],
    [999, '0 s'],
    [45 * SEC, '45 s'],
    [59 * SEC + 999, '59 s'],
    [MIN, '1 min'],
    [4 * MIN + 12 * SEC, '4 min 12 s'],
    [4 * MIN + 12 * SEC + 999, '4 min 12 s'],
    [7 * MIN, '7 min'],
    [9 * MIN + 59 * SEC, '9 min 59 s'],
    [10 * MIN, '10 min'],
    [10 * MIN + 59 * SEC, '10 min'],
    [47 * MIN + 30 * SEC, '47 min'],
    [2 * HOUR + 15 * MIN + 5 * SEC, '2 h 15 min'],
    [DAY + 3 * HOUR, '1 d 3 h'],
    [-5 * SEC, '0 s'],
    [Number.NaN, '0 s'],
    [Number.POSITIVE_INFINITY, '0 s'],
  ])('%d ms reads "%s"', (ms, text) => {
    expect(formatPreciseDuration(ms)).toBe(text);
  });

  it('speaks Korean', () => {
    const ko = translator('ko');
    expect(formatPreciseDuration(4 * MIN + 12 * SEC, ko)).toBe('4분 12초');
    expect(formatPreciseDuration(45 * SEC, ko)).toBe('45초');
    expect(formatPreciseDuration(0, ko)).toBe('0초');
    expect(formatPreciseDuration(38 * MIN + 40 * SEC, ko)).toBe('38분');
    expect(formatPreciseDuration(HOUR + 15 * MIN, ko)).toBe('1시간 15분');
  });
});

describe('formatTime / formatClock / formatDate', () => {
  it('shows seed 004 incident #1 in Korean time', () => {
    expect(formatTime('2025-12-26T00:47:00.000Z', 'Asia/Seoul')).toBe('2025-12-26 09:47');
    expect(formatClock('2025-12-26T00:47:00.000Z', 'Asia/Seoul')).toBe('09:47');
    expect(formatDate('2025-12-26T00:47:00.000Z', 'Asia/Seoul')).toBe('2025-12-26');
  });

  it('accepts any ISO offset and converts to the zone', () => {
    expect(formatTime('2025-12-26T09:09:00+09:00', 'UTC')).toBe('2025-12-26 00:09');
    expect(formatTime('2025-12-26T09:09:00+09:00', 'America/New_York')).toBe('2025-12-25 19:09');
  });

  it('rolls over the date at local midnight and writes midnight as 00, not 24', () => {
    expect(formatTime('2025-12-26T15:00:00Z', 'Asia/Seoul')).toBe('2025-12-27 00:00');
    expect(formatClock('2025-12-26T14:59:00Z', 'Asia/Seoul')).toBe('23:59');
  });

  it('follows DST in America/New_York (spring forward and fall back)', () => {
    // 2025-03-09: 02:00 EST jumps to 03:00 EDT
    expect(formatClock('2025-03-09T06:59:00Z', 'America/New_York')).toBe('01:59');
    expect(formatClock('2025-03-09T07:00:00Z', 'America/New_York')).toBe('03:00');
    // 2025-11-02: 02:00 EDT falls back to 01:00 EST, so 01:30 happens twice
    expect(formatClock('2025-11-02T05:30:00Z', 'America/New_York')).toBe('01:30');
    expect(formatClock('2025-11-02T06:30:00Z', 'America/New_York')).toBe('01:30');
    expect(between('2025-11-02T05:30:00Z', '2025-11-02T06:30:00Z')).toBe(HOUR);
  });

  it('refuses an unknown zone and a non-time', () => {
    expect(() => formatTime('2025-12-26T00:00:00Z', 'Mars/Olympus')).toThrow(RangeError);
    expect(() => formatTime('yesterday', 'UTC')).toThrow(RangeError);
  });
});
