import { plainTimes } from '../core/chat-time.js';
import { emojiOf } from '../core/emoji.js';
import { html, type Html } from './html.js';

/**
 * The bot's neutral chat markup (src/adapters/local/render.ts: mentions `<@id>`, channels
 * `<#id>`, *bold*, `code`, :emoji: names, links) as HTML, for the playground's messages and the
 * dashboard's timeline. Every piece of the text is escaped by `html`; only http(s) links become
 * links. A place decides what a channel and an incident reference link to (or nothing).
 */

export interface MarkupLinks {
  /** How a channel shows; plain `#id` text when absent. */
  channel?: (id: string) => Html;
  /** Where an incident reference (`INC-7`) leads; plain text when absent. */
  incidentHref?: (number: string) => string;
}

const TOKEN = /<@!?([^>|]+)(?:\|[^>]*)?>|<#([^>|]+)(?:\|([^>]*))?>|`([^`\n]+)`|\*([^*\n]+)\*|:([a-z_]+):|(https?:\/\/[^\s<>"]+)|(?<![\w/.-])INC-(\d{1,9})(?![\w-])/g;

export function chatMarkup(text: string, links: MarkupLinks = {}, inBold = false): Html {
  const source = plainTimes(text);
  const parts: (Html | string)[] = [];
  let at = 0;
  for (const m of source.matchAll(TOKEN)) {
    const [whole, mention, channel, channelLabel, code, bold, emoji, url, incident] = m;
    parts.push(source.slice(at, m.index));
    at = m.index + whole.length;
    if (mention !== undefined) parts.push(html`<span class="pg-mention">@${mention}</span>`);
    else if (channel !== undefined) parts.push(links.channel ? links.channel(channel) : `#${channelLabel || channel}`);
    else if (code !== undefined) parts.push(html`<code>${code}</code>`);
    else if (bold !== undefined) parts.push(inBold ? whole : html`<strong>${chatMarkup(bold, links, true)}</strong>`);
    else if (emoji !== undefined) parts.push(emojiOf(emoji) ?? whole);
    // An incident's reference opens its dashboard page (timeline, paging, the rendered postmortem).
    else if (incident !== undefined) parts.push(links.incidentHref ? html`<a class="pg-incident" href="${links.incidentHref(incident)}">${whole}</a>` : whole);
    else if (url !== undefined) {
      const link = url.replace(/[.,;:!?)]+$/, '');
      parts.push(html`<a href="${link}" rel="noopener noreferrer">${link}</a>`, url.slice(link.length));
    }
  }
  parts.push(source.slice(at));
  return html`${parts}`;
}
