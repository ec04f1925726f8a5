import { describe, expect, it } from 'vitest';
import { MAX_CHANNEL_NAME, channelName, nextFreeName, slugify } from '../../src/core/naming.js';

const VALID = /^[a-z0-9_-]+$/;

describe('channelName', () => {
  it('is the prefix, the number and a lowercase slug of the title', () => {
    expect(channelName('inc', 7, 'Checkout is DOWN!')).toBe('inc-7-checkout-is-down');
  });

  it.each([
    'Checkout is DOWN!',
    'API 5xx — EU/US (50%)',
    '  leading and trailing  ',
    'émojis 🔥🔥 and ¿punctuation?',
    'tabs\tand\nnewlines',
    'x'.repeat(300),
    'word '.repeat(60),
  ])('uses only [a-z0-9-_] and at most 80 characters for %j', (title) => {
    const name = channelName('inc', 123456, title);
    expect(name).toMatch(VALID);
    expect(name.length).toBeLessThanOrEqual(MAX_CHANNEL_NAME);
    expect(name).not.toMatch(/-$/);
    expect(name).not.toMatch(/--/);
  });

  it('cuts a 300-character title to exactly the limit, keeping the number', () => {
    const name = channelName('inc', 7, 'a'.repeat(300));
    expect(name.length).toBe(MAX_CHANNEL_NAME);
    expect(name.startsWith('inc-7-aaa')).toBe(true);
  });

  it('does not end on a dash when the cut falls between words', () => {
    const name = channelName('inc', 7, 'ab '.repeat(100));
    expect(name.length).toBeLessThanOrEqual(MAX_CHANNEL_NAME);
    expect(name).toMatch(/^inc-7(-ab)+$/);
  });

  it('is just prefix and number for a Korean-only title', () => {
    expect(channelName('inc', 7, '결제 서버 장애')).toBe('inc-7');
  });

  it('keeps the Latin part of a mixed title', () => {
    expect(channelName('inc', 7, '결제 API 장애')).toBe('inc-7-api');
  });

  it('folds diacritics to plain letters', () => {
    expect(channelName('inc', 3, 'Café Crème Über Niño')).toBe('inc-3-cafe-creme-uber-nino');
  });

  it('uses the configured prefix', () => {
    expect(channelName('sev_room', 1, 'db')).toBe('sev_room-1-db');
  });
});

describe('slugify', () => {
  it('joins words with single dashes and trims them at both ends', () => {
    expect(slugify('--Hello,   World!--')).toBe('hello-world');
  });
});

describe('nextFreeName', () => {
  it('appends -2, -3, … for successive attempts', () => {
    expect(nextFreeName('inc-7-db', 1)).toBe('inc-7-db-2');
    expect(nextFreeName('inc-7-db', 2)).toBe('inc-7-db-3');
  });

  it('stays within 80 characters for a name already at the limit', () => {
    const full = channelName('inc', 7, 'z'.repeat(300));
    expect(full.length).toBe(MAX_CHANNEL_NAME);
    for (const attempt of [1, 9, 99, 999]) {
      const next = nextFreeName(full, attempt);
      expect(next.length).toBeLessThanOrEqual(MAX_CHANNEL_NAME);
      expect(next.endsWith(`-${attempt + 1}`)).toBe(true);
      expect(next).toMatch(VALID);
      expect(next).not.toBe(full);
    }
  });
});
