import { ActionRowBuilder, ButtonBuilder, ButtonStyle, type APIEmbed, type BaseMessageOptions } from 'discord.js';
import { plainTimes, renderTimes, type ChatTime } from '../../core/chat-time.js';
import { emojiOf as emojiChar } from '../../core/emoji.js';
import { BUTTON_ACTIONS, type MessageAction, type OutboundMessage } from '../../core/ports.js';
import { discordCommandLine } from './command-mentions.js';

/**
 * Neutral messages (ports.ts) as Discord messages. `*bold*` becomes `**bold**`; `<@id>` and
 * `<#id>` are Discord's own syntax already; `:name:` short codes become the emoji (a bot's
 * message is shown as sent, clients do not convert short codes). Fields and the footer go in an
 * embed, actions become buttons. Text over Discord's 2000 characters is split at line breaks.
 * The core's times (chat-time.ts) become `<t:…>`, which Discord shows in each reader's own zone;
 * a `<t:…>` in the text itself (someone typed it) is broken with a zero-width space and stays
 * plain text, so people cannot make the bot show a time. Commands the catalogs name as typed
 * after `/incident` but that Discord has elsewhere read as Discord's (command-mentions.ts).
 */

export const MAX_CONTENT = 2000;


const STYLES: Record<NonNullable<MessageAction['style']> | 'none', ButtonStyle> = {
  primary: ButtonStyle.Primary,
  danger: ButtonStyle.Danger,
  none: ButtonStyle.Secondary,
};

/** A config emoji (`white_check_mark`, `:eyes:` or `✅`) as the character Discord reacts with. */
export function emojiOf(name: string): string {
  const bare = name.replace(/^:|:$/g, '');
  // Own entries only (core/emoji.ts): user text such as `:constructor:` must not reach Object's built-ins.
  return emojiChar(bare) ?? bare;
}

/** Discord's timestamp styles: `f` is the reader's date and time, `t` their clock. */
const DISCORD_STYLE: Record<ChatTime['style'], string> = { datetime: 'f', time: 't' };
/** Discord's own timestamp markup, wherever it came from (only the core's tokens may make one). */
const DISCORD_TIMESTAMP = /<t:/g;

function discordTime(time: ChatTime): string {
  return `<t:${time.unix}:${DISCORD_STYLE[time.style]}>`;
}

/** A line's markup in Discord's terms. */
function convertLine(line: string): string {
  const converted = discordCommandLine(line)
    .replace(DISCORD_TIMESTAMP, '<\u200bt:')
    .replace(/<@!?([^>|]+)\|[^>]*>/g, '<@$1>')
    .replace(/<#([^>|]+)\|[^>]*>/g, '<#$1>')
    .replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => emojiChar(name) ?? whole)
    .replace(/(?<!\*)\*([^\s*](?:[^*\n]*[^\s*])?)\*(?!\*)/g, '**$1**');
  // Last, so nothing above touches the timestamps it makes.
  return renderTimes(converted, discordTime);
}

/** The opening backticks of a fenced block (``` or longer), if the line opens or closes one. */
const fenceOf = (line: string): string | undefined => /^(`{3,})/.exec(line)?.[1];

/** Neutral markup to Discord markdown, leaving fenced blocks (the postmortem's timeline) as they are. */
export function toDiscordText(text: string): string {
  let fence: string | null = null;
  return text
    .split('\n')
    .map((line) => {
      // A code block renders no markup: times there are the configured zone's text.
      if (fence) {
        if (line.trim() === fence) fence = null;
        return plainTimes(line);
      }
      fence = fenceOf(line) ?? null;
      return fence ? plainTimes(line) : convertLine(line);
    })
    .join('\n');
}

/** Embed footers and field names show no markdown (nor timestamps): drop the markup characters. */
function plain(text: string): string {
  return toDiscordText(plainTimes(text)).replace(/\*\*|`/g, '');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Splits at line breaks so every piece fits; a single longer line is cut. A fenced block cut in
 * two is closed at the end of one piece and opened again at the start of the next.
 */
export function splitContent(text: string, max = MAX_CONTENT): string[] {
  if (text.length <= max) return [text];
  const budget = max - 40;
  const chunks: string[] = [];
  let lines: string[] = [];
  let size = 0;
  let open: string | null = null;
  const flush = () => {
    const marker = open ? fenceOf(open) : undefined;
    chunks.push([...lines, ...(marker ? [marker] : [])].join('\n'));
    lines = open ? [open] : [];
    size = open ? open.length + 1 : 0;
  };
  for (const line of text.split('\n')) {
    for (let rest = line, first = true; first || rest.length > 0; first = false) {
      const piece = rest.slice(0, budget);
      rest = rest.slice(budget);
      if (size + piece.length > budget && lines.length > (open ? 1 : 0)) flush();
      lines.push(piece);
      size += piece.length + 1;
      const marker = fenceOf(piece);
      if (open && piece.trim() === fenceOf(open)) open = null;
      else if (!open && marker) open = piece;
    }
  }
  if (lines.length > 0) chunks.push(lines.join('\n'));
  return chunks;
}

/** `incident:<action>:<incident number>:<guild id>`: the guild is needed because page DMs have none. */
export function buttonId(action: MessageAction, guildId: string): string {
  return `incident:${action.id}:${action.value}:${guildId}`;
}

export function parseButtonId(customId: string): { action: MessageAction['id']; value: string; guildId: string | undefined } | null {
  const [head, action, value, guildId] = customId.split(':');
  const known = BUTTON_ACTIONS.find((a) => a === action);
  if (head !== 'incident' || !known || !value) return null;
  return { action: known, value, guildId };
}

function extras(m: OutboundMessage, guildId: string): Pick<BaseMessageOptions, 'embeds' | 'components'> {
  const embeds: APIEmbed[] = [];
  if (m.fields?.length || m.footer) {
    const fields = (m.fields ?? []).slice(0, 25).map((f) => ({ name: clip(plain(f.label), 256), value: clip(toDiscordText(f.value) || '—', 1024), inline: true }));
    embeds.push({ fields, ...(m.footer ? { footer: { text: clip(plain(m.footer), 2048) } } : {}) });
  }
  const buttons = (m.actions ?? [])
    .slice(0, 5)
    .map((a) => new ButtonBuilder().setCustomId(buttonId(a, guildId)).setLabel(clip(a.label, 80)).setStyle(STYLES[a.style ?? 'none']));
  return { embeds, components: buttons.length ? [new ActionRowBuilder<ButtonBuilder>().addComponents(buttons)] : [] };
}

/**
 * One or more Discord messages for a neutral one. The embed and buttons ride on the last piece,
 * so the message a person reacts to (a page DM) is the one the bot remembers.
 */
export function renderMessages(m: OutboundMessage, guildId: string): BaseMessageOptions[] {
  const pieces = splitContent(toDiscordText(m.text));
  return pieces.map((content, i) => (i === pieces.length - 1 ? { content, ...extras(m, guildId) } : { content }));
}

/** A single message (edits replace exactly one): text beyond the limit is cut. */
export function renderOne(m: OutboundMessage, guildId: string): BaseMessageOptions {
  return { content: clip(toDiscordText(m.text), MAX_CONTENT), ...extras(m, guildId) };
}
