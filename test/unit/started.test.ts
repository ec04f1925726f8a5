import { describe, expect, it } from 'vitest';
import { IncidentError } from '../../src/core/errors.js';
import { translator } from '../../src/core/i18n/index.js';
import { parseStarted } from '../../src/core/started.js';

/** `declare --started`: when the impact began, in the configured zone, never in the future. */

const SEOUL = 'Asia/Seoul';
/** 2026-12-01 14:30:00 in Seoul. */
const NOW = new Date('2026-12-01T05:30:00Z');
const iso = (text: string, tz = SEOUL, now = NOW) => parseStarted(text, tz, now).toISOString();

function refusal(text: string, tz = SEOUL, now = NOW): IncidentError {
  try {
    parseStarted(text, tz, now);
  } catch (err) {
    if (err instanceof IncidentError) return err;
    throw err;
  }
  throw new Error(`${text} was accepted`);
}

describe('parseStarted', () => {
  it('reads a clock reading as today in the configured zone', () => {
    expect(iso('14:02')).toBe('2026-12-01T05:02:00.000Z');
    expect(iso('9:05')).toBe('2026-12-01T00:05:00.000Z');
    expect(iso('00:00')).toBe('2026-11-30T15:00:00.000Z');
    expect(iso('14:02', 'UTC', new Date('2026-12-01T15:00:00Z'))).toBe('2026-12-01T14:02:00.000Z');
  });

  it('reads a date and time, local to the zone unless it names one', () => {
    expect(iso('2026-12-01T14:02')).toBe('2026-12-01T05:02:00.000Z');
    expect(iso('2026-11-30T23:59:30')).toBe('2026-11-30T14:59:30.000Z');
    expect(iso('2026-12-01T05:02Z')).toBe('2026-12-01T05:02:00.000Z');
    expect(iso('2026-12-01T14:02+09:00')).toBe('2026-12-01T05:02:00.000Z');
  });

  it('reads how long ago, to the second', () => {
    expect(iso('20m')).toBe('2026-12-01T05:10:00.000Z');
    expect(iso('1h30m')).toBe('2026-12-01T04:00:00.000Z');
    expect(iso('90s')).toBe('2026-12-01T05:28:30.000Z');
    expect(iso('2d')).toBe('2026-11-29T05:30:00.000Z');
    expect(iso('0m')).toBe(NOW.toISOString());
  });

  it('refuses a time still ahead, saying how to write yesterday', () => {
    const err = refusal('14:45');
    expect(err.code).toBe('started_in_future');
    expect(translator('en')(`error.${err.code}`, err.details)).toBe(
      '`14:45` (2026-12-01 14:45 Asia/Seoul) has not happened yet: `--started` is when the impact began, so it must be in the past. For yesterday write the date, e.g. `2026-11-30T14:45`.',
    );
    expect(refusal('2026-12-02T09:00').code).toBe('started_in_future');
    expect(refusal('2026-12-01T05:30:01Z').code).toBe('started_in_future');
  });

  it('refuses anything more than 30 days back, saying so, and takes 30 days', () => {
    expect(iso('30d')).toBe('2026-11-01T05:30:00.000Z');
    expect(iso('2026-11-01T14:30')).toBe('2026-11-01T05:30:00.000Z');
    for (const text of ['9999d', '31d', '1971-01-01T00:00', '2026-11-01T14:29:59', '721h']) expect(refusal(text).code).toBe('started_too_early');
    const err = refusal('9999d');
    expect(translator('en')(`error.${err.code}`, err.details)).toBe(
      '`9999d` (1999-07-17 14:30 Asia/Seoul) is more than 30 days ago: `--started` is when the impact of this incident began. Give a time within the last 30 days: `14:02` (today), a date and time, or `2h` for that long ago.',
    );
    expect(translator('ko')(`error.${err.code}`, err.details)).toContain('30일보다 더 전입니다');
  });

  it.each(['yesterday-ish', '25:00', '14:60', '14h02', '-20m', '20 min', '2026-02-30T10:00', 'm', '', '1w'])('refuses `%s` as no start time', (text) => {
    const err = refusal(text);
    expect(err.code).toBe('bad_started');
    expect(translator('ko')(`error.${err.code}`, err.details)).toContain('시작 시각 형식이 아닙니다');
  });
});
