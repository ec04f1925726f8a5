import { plainTimes } from '../../core/chat-time.js';
import { emojiOf } from '../../core/emoji.js';
import type { OutboundMessage } from '../../core/ports.js';


export interface RenderOptions {
  color: boolean;
  channelName(id: string): string;
}

/** Neutral markup to terminal text: mentions as @name, channels as #name, *bold* in bold, times in the configured zone. */
export function renderText(text: string, o: RenderOptions): string {
  return plainTimes(text)
    .replace(/<@!?([^>|]+)(?:\|[^>]*)?>/g, (_, id: string) => `@${id}`)
    .replace(/<#([^>|]+)(?:\|[^>]*)?>/g, (_, id: string) => `#${o.channelName(id)}`)
    .replace(/:([a-z_]+):/g, (whole, name: string) => emojiOf(name) ?? whole)
    .replace(/\*([^*\n]+)\*/g, (_, inner: string) => (o.color ? `\x1b[1m${inner}\x1b[22m` : inner));
}

export function renderMessage(message: OutboundMessage, o: RenderOptions): string[] {
  const lines = renderText(message.text, o).split('\n');
  if (message.fields?.length) {
    const width = Math.max(...message.fields.map((f) => f.label.length));
    for (const f of message.fields) lines.push(`${f.label.padEnd(width)}  ${renderText(f.value, o)}`);
  }
  if (message.footer) lines.push(renderText(message.footer, o));
  if (message.actions?.length) lines.push(`${message.actions.map((a) => `[ ${a.label} ]`).join(' ')}   (/press <msg-id> ${message.actions.map((a) => a.id).join('|')})`);
  return lines;
}

/** `@alice` typed in the terminal becomes the neutral mention `<@alice>` the commands expect. */
export function neutralMentions(text: string): string {
  return text.replace(/(^|\s)@([a-z0-9._-]+)/gi, (_, pre: string, name: string) => `${pre}<@${name.toLowerCase()}>`);
}
