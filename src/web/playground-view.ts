import { LOCAL_WORKSPACE } from '../adapters/local/seat.js';
import type { OutboundMessage } from '../core/ports.js';
import { chatMarkup } from './chat-markup.js';
import type { PageContext } from './context.js';
import { html, queryString, type Html } from './html.js';
import { PICKER_EMOJI, type ConversationItem } from './playground-state.js';

/**
 * The playground's HTML, pure: the sidebar, a conversation, the demo panel and the page around
 * them. Message text is neutral markup (src/adapters/local/render.ts): mentions `<@id>`,
 * channels `<#id>`, *bold*, `code`, :emoji: names; every piece of it is escaped by `html`.
 */

export interface ViewContext {
  ctx: Pick<PageContext, 't' | 'csrf'>;
  /** The person the page acts as, and the conversation it shows. */
  user: string;
  channel: string;
  channelName(id: string): string;
  /** The config pages nobody (no escalation policy): the intro says how to page by hand. */
  pagesNobody?: boolean;
}

export interface PageModel extends ViewContext {
  people: string[];
  channels: { id: string; name: string; private: boolean }[];
  topic: string;
  items: ConversationItem[];
  demo: DemoModel | undefined;
  maxText: number;
  /** Who has DMs not opened yet (see sidebarHtml). */
  unseen: readonly { user: string; count: number }[];
}

export interface DemoModel {
  running: boolean;
  log: readonly string[];
  /** How the last run ended, once it has. */
  outcome?: 'done' | 'failed';
}

export const pageHref = (channel: string, user: string): string => `/playground${queryString({ c: channel, as: user })}`;

/** Neutral markup as HTML for the playground: channels link into the playground, `INC-n` to its dashboard page. */
export function renderText(text: string, v: Pick<ViewContext, 'user' | 'channelName'>): Html {
  return chatMarkup(text, {
    channel: (id) => html`<a class="pg-channel" href="${pageHref(id, v.user)}">#${v.channelName(id)}</a>`,
    incidentHref: (n) => `/incidents/${LOCAL_WORKSPACE}/${n}`,
  });
}

/** Past this many lines a message (a postmortem draft posted whole) shows its first line, and the rest on a click. */
const FOLD_LINES = 12;

function messageText(text: string, v: ViewContext): Html {
  const lines = text.split('\n');
  if (lines.length <= FOLD_LINES) return html`<div class="pg-text">${renderText(text, v)}</div>`;
  return html`<details class="pg-text pg-long"><summary>${renderText(lines[0] ?? '', v)} <span class="muted">${v.ctx.t('playground.more_lines', { lines: lines.length - 1 })}</span></summary>${renderText(lines.slice(1).join('\n'), v)}</details>`;
}

function body(message: OutboundMessage, v: ViewContext): Html {
  return html`${messageText(message.text, v)}${
    message.fields?.length ? html`<dl class="pg-fields">${message.fields.map((f) => html`<div><dt>${f.label}</dt><dd>${renderText(f.value, v)}</dd></div>`)}</dl>` : ''
  }${message.footer ? html`<p class="pg-footer">${renderText(message.footer, v)}</p>` : ''}`;
}

const hidden = (v: ViewContext, channel: string): Html =>
  html`<input type="hidden" name="_csrf" value="${v.ctx.csrf}"><input type="hidden" name="user" value="${v.user}"><input type="hidden" name="channel" value="${channel}">`;

function messageItem(item: Extract<ConversationItem, { kind: 'message' }>, v: ViewContext): Html {
  const { msg } = item;
  const { t } = v.ctx;
  const bot = msg.author === 'bot';
  const actions = msg.message.actions ?? [];
  const reactions = item.reactions.map(
    (r) => html`<span class="pg-reaction${r.users.includes(v.user) ? ' mine' : ''}" title="${t('playground.reacted_by', { people: r.users.map((u) => `@${u}`).join(', ') })}">${r.emoji} ${r.users.length}</span>`,
  );
  return html`<li class="pg-msg${bot ? ' bot' : ''}${item.onlyYou ? ' only-you' : ''}" id="msg-${msg.id}">
<div class="pg-head"><strong>${bot ? t('playground.bot') : `@${msg.author}`}</strong> <span class="pg-id">${msg.id}</span>${item.onlyYou ? html` <em>${t('playground.only_you')}</em>` : ''}</div>
${body(msg.message, v)}
${actions.length ? html`<form method="post" action="/playground/press" class="pg-actions" data-pg>${hidden(v, msg.channelId)}<input type="hidden" name="messageId" value="${msg.id}">${actions.map((a) => html`<button type="submit" name="action" value="${a.id}"${a.style ? html` class="${a.style}"` : ''}>${a.label}</button>`)}</form>` : ''}
<div class="pg-reactions">${reactions}${item.onlyYou ? '' : html`<form method="post" action="/playground/react" class="pg-picker" data-pg>${hidden(v, msg.channelId)}<input type="hidden" name="messageId" value="${msg.id}">${PICKER_EMOJI.map(
    (e) => html`<button type="submit" name="emoji" value="${e}" title="${t('playground.react_label', { emoji: e })}" aria-label="${t('playground.react_label', { emoji: e })}">${e}</button>`,
  )}</form>`}</div>
</li>`;
}

/** The conversation's title, topic and messages, oldest first (the content of `#pg-conversation`). */
export function conversationHtml(c: { items: readonly ConversationItem[]; topic: string }, v: ViewContext): Html {
  const { t } = v.ctx;
  return html`<h1>${conversationTitle(v)}</h1>
<p class="muted pg-topic">${c.topic ? html`${t('playground.topic')} ${renderText(c.topic, v)}` : t(v.pagesNobody ? 'playground.intro_unpaged' : 'playground.intro')}</p>
<ol class="pg-messages">${c.items.length ? messageItems(c.items, v) : html`<li class="pg-empty">${t('playground.empty')}</li>`}</ol>`;
}

function messageItems(items: readonly ConversationItem[], v: ViewContext): Html {
  return html`${items.map((item) =>
    item.kind === 'message'
      ? messageItem(item, v)
      : html`<li class="pg-msg bot only-you"><div class="pg-head"><strong>${v.ctx.t('playground.bot')}</strong> <em>${v.ctx.t('playground.only_you')}</em></div>${body(item.message, v)}</li>`,
  )}`;
}

/**
 * The channel list, the viewer's DM, and who has DMs from the bot not opened yet (a page, say),
 * each a link that switches to that person's DM: the content of `#pg-sidebar`.
 */
export function sidebarHtml(channels: PageModel['channels'], v: ViewContext, unseen: readonly { user: string; count: number }[] = []): Html {
  const { t } = v.ctx;
  const link = (id: string, label: Html | string) => html`<li><a href="${pageHref(id, v.user)}"${id === v.channel ? html` aria-current="page"` : ''}>${label}</a></li>`;
  const own = unseen.find((u) => u.user === v.user)?.count ?? 0;
  const others = unseen.filter((u) => u.user !== v.user);
  return html`<h2>${t('playground.channels')}</h2><ul>${channels.map((c) =>
    link(c.id, html`#${c.name}${c.private ? html` <span class="pg-lock" title="${t('playground.private')}" aria-label="${t('playground.private')}">🔒</span>` : ''}`),
  )}</ul><h2>${t('playground.dms')}</h2><ul>${link(`dm-${v.user}`, html`${t('playground.dm_with_bot')}${own ? html` <span class="pg-new">${t('playground.new', { count: own })}</span>` : ''}`)}</ul>${
    others.length
      ? html`<h2>${t('playground.others_dms')}</h2><ul class="pg-others">${others.map(
          (o) => html`<li><a href="${pageHref(`dm-${o.user}`, o.user)}" title="${t('playground.switch_to', { user: o.user })}">@${o.user} <span class="pg-new">${t('playground.new', { count: o.count })}</span></a></li>`,
        )}</ul>`
      : ''
  }`;
}

/** The demo panel's content: its button (or that it runs) and the lines it has played. */
export function demoHtml(demo: DemoModel, v: ViewContext): Html {
  const { t } = v.ctx;
  return html`<h2>${t('playground.demo.title')}</h2>${
    demo.running
      ? html`<p class="pg-running" role="status">${t('playground.demo.running')}</p>`
      : html`<form method="post" action="/playground/demo" data-pg>${hidden(v, v.channel)}<button type="submit">${t('playground.demo.play')}</button></form><p class="muted">${t('playground.demo.help')}</p>`
  }<ol class="pg-demo-log">${demo.log.map((line) => html`<li>${line}</li>`)}</ol>${
    demo.outcome ? html`<p class="${demo.outcome === 'done' ? 'ok' : 'bad'}" role="status">${t(demo.outcome === 'done' ? 'playground.demo.done' : 'playground.demo.failed')}</p>` : ''
  }`;
}

const conversationTitle = (v: ViewContext): string => (v.channel === `dm-${v.user}` ? v.ctx.t('playground.dm_with_bot') : `#${v.channelName(v.channel)}`);

/** The playground page's body (inside the layout). */
export function playgroundBody(m: PageModel): Html {
  const { t } = m.ctx;
  const title = conversationTitle(m);
  return html`<div class="pg" data-pg-events="/playground/events${queryString({ c: m.channel, as: m.user })}" data-pg-channel="${m.channel}" data-pg-user="${m.user}">
<aside class="pg-side">
<form method="get" action="/playground" class="pg-switch"><input type="hidden" name="c" value="${m.channel}"><label>${t('playground.you_are')} <select name="as">${m.people.map(
    (p) => html`<option value="${p}"${p === m.user ? html` selected` : ''}>@${p}</option>`,
  )}</select></label> <button type="submit">${t('playground.switch')}</button></form>
<nav id="pg-sidebar" aria-label="${t('playground.channels')}">${sidebarHtml(m.channels, m, m.unseen)}</nav>
${m.demo ? html`<section id="pg-demo" class="pg-demo">${demoHtml(m.demo, m)}</section>` : ''}
</aside>
<section class="pg-main">
<div id="pg-conversation" aria-live="polite">${conversationHtml(m, m)}</div>
<form method="post" action="/playground/say" class="pg-say" data-pg data-pg-say>${hidden(m, m.channel)}<label class="sr-only" for="pg-text">${t('playground.say_label', { channel: title })}</label><input id="pg-text" name="text" maxlength="${m.maxText}" required autocomplete="off" placeholder="${t('playground.say_placeholder')}"> <button type="submit">${t('playground.send')}</button></form>
<p class="bad" id="pg-error" role="alert" hidden></p>
</section>
</div>
<script src="/static/playground.js" defer></script>`;
}

/** A short page for a refused form post without JavaScript. */
export function errorBody(t: PageContext['t'], sentence: string, back: string): Html {
  return html`<h1>${t('playground.error.title')}</h1><p class="bad" role="alert">${sentence}</p><p><a href="${back}">${t('playground.error.back')}</a></p>`;
}
