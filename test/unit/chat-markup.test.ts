import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../src/core/timeline.js';
import { chatMarkup } from '../../src/web/chat-markup.js';
import { timelineHtml } from '../../src/web/incident-timeline.js';
import { webTranslator } from '../../src/web/i18n/index.js';

/** The bot's chat markup on the dashboard and in the playground: shown as formatting, never as markup of the page. */
describe('chat markup as HTML', () => {
  it('shows bold, code, mentions, channels and emoji names as such, not as asterisks and brackets', () => {
    expect(chatMarkup('declared *Checkout is down* (P1) by <@U0BOB> in <#C1|inc-1-checkout> :white_check_mark: `kubectl get pods`').value).toBe(
      'declared <strong>Checkout is down</strong> (P1) by <span class="pg-mention">@U0BOB</span> in #inc-1-checkout ✅ <code>kubectl get pods</code>',
    );
  });

  it('escapes everything a person typed, and links only http(s) URLs', () => {
    const out = chatMarkup('*<img src=x onerror=alert(1)>* javascript:alert(1) https://status.example/x?a=1&b=2').value;
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).not.toContain('href="javascript');
    expect(out).toContain('<a href="https://status.example/x?a=1&amp;b=2" rel="noopener noreferrer">');
  });

  it('links an incident reference only where the page says where to, and not inside a file name', () => {
    expect(chatMarkup('see INC-12', { incidentHref: (n) => `/incidents/T1/${n}` }).value).toBe('see <a class="pg-incident" href="/incidents/T1/12">INC-12</a>');
    expect(chatMarkup('see INC-12').value).toBe('see INC-12');
    expect(chatMarkup('draft: /data/INC-12-db.md', { incidentHref: (n) => `/x/${n}` }).value).toBe('draft: /data/INC-12-db.md');
  });

  it('renders the dashboard timeline entries with it', () => {
    const out = timelineHtml([{ at: '2026-01-10T00:00:00.000Z', kind: 'declared', actor: { id: 'bob', name: 'bob' }, text: 'declared *DB down* (P1)' } satisfies TimelineEntry], {
      t: webTranslator('en'),
      timeZone: 'UTC',
      workspace: 'T1',
    }).value;
    expect(out).toContain('<span class="what">declared <strong>DB down</strong> (P1)</span>');
  });
});
