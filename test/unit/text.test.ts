import { describe, expect, it } from 'vitest';
import { charLength, cleanText, cleanTitle, cutText, hasVisible, visibleTitle } from '../../src/core/text.js';

describe('cleanTitle / visibleTitle', () => {
  it.each([
    ['Check\u200bout down', 'Checkout down'],
    ['DB \u202enwod\u202c', 'DB nwod'],
    ['\u2066DB\u2069 down\u200f', 'DB down'],
    ['\ufeffDB\u0007 down', 'DB down'],
    ['DB\tdown\nagain', 'DB down again'],
    ['Ｃｈｅｃｋｏｕｔ ①', 'Checkout 1'],
    ['결제 장애 ㅠㅠ', '결제 장애 ㅠㅠ'],
    ['👨‍👩‍👧 family', '👨👩👧 family'],
  ])('%j is stored as %j', (raw, title) => {
    expect(cleanTitle(raw)).toBe(title);
    expect(visibleTitle(raw)).toBe(title);
  });

  it.each(['\u200b\u200d', '\u202e\u2066\u200e', ' \u3164 ', '\u00ad\u2800', '\u0301\u0301'])('%j has nothing visible', (raw) => {
    expect(visibleTitle(raw)).toBeNull();
  });
});

describe('cleanText', () => {
  it('keeps line breaks, tabs, emoji sequences and direction marks; drops controls and bidi overrides', () => {
    expect(cleanText('line 1\r\nline\t2\u0000\u001b[31m \u202eevil\u202c 👨‍👩‍👧 \u200fשלום')).toBe('line 1\nline\t2[31m evil 👨‍👩‍👧 \u200fשלום');
  });
});

describe('charLength / cutText', () => {
  it('counts an emoji as one character', () => {
    expect(charLength('a🔥b')).toBe(3);
    expect(hasVisible('🔥')).toBe(true);
  });

  it('cuts to the limit, marker included, never inside a surrogate pair', () => {
    expect(cutText('short', 10, '…')).toBe('short');
    expect(cutText('🔥'.repeat(20), 10, '… (cut)')).toBe('🔥🔥🔥… (cut)');
    expect(charLength(cutText('x'.repeat(100_000), 4000, '… (cut)'))).toBe(4000);
  });
});
