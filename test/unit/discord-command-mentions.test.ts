import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { DISCORD_COMMANDS, type DiscordCommandLayout } from '../../src/adapters/discord/command-layout.js';
import { discordCommandLine, discordMentions, mentionRules } from '../../src/adapters/discord/command-mentions.js';
import { renderMessages, toDiscordText } from '../../src/adapters/discord/render.js';
import { en } from '../../src/core/i18n/en.js';
import { format, translator } from '../../src/core/i18n/index.js';
import { ko } from '../../src/core/i18n/ko.js';

/**
 * The catalogs name commands as typed after `/incident`; on Discord the postmortem commands of
 * issue 12 live under `/postmortem` (command-layout.ts), and a Discord user must read the
 * command they can type.
 */

const en_ = translator('en');
/** Text commands that Discord has elsewhere than `/incident <text>`, from the layout. */
const moved = DISCORD_COMMANDS.flatMap((c) => c.subcommands.filter((p) => c.name !== 'incident' || p.name !== p.text).map((p) => p.text));
const stillTextForm = new RegExp(`/incident (?:${[...new Set(moved.map((m) => m.split(' ')[0]))].join('|')})(?![\\w-])`);

describe('command mentions on Discord', () => {
  it('rewrites each moved command, a reference between the command and its fixed words going after the subcommand', () => {
    expect(discordMentions('`/incident why 2 5 nodes were down`')).toBe('`/postmortem why 2 5 nodes were down`');
    expect(discordMentions('`/incident postmortem done [@reviewers]`')).toBe('`/postmortem done [@reviewers]`');
    expect(discordMentions('`/incident postmortem INC-7 done @bob`')).toBe('`/postmortem done INC-7 @bob`');
    expect(discordMentions('`/incident postmortem`')).toBe('`/postmortem draft`');
    expect(discordMentions('`/incident postmortem INC-7`')).toBe('`/postmortem draft INC-7`');
    expect(discordMentions('`/incident stats --since 90d`')).toBe('`/postmortem stats --since 90d`');
    expect(discordMentions('`/incident actions mine`')).toBe('`/postmortem actions mine`');
    expect(discordMentions('`/incident impact users=1200`, `/incident cause x`')).toBe('`/postmortem impact users=1200`, `/postmortem cause x`');
  });

  it('leaves the commands /incident still has alone, `action` included (not `actions`)', () => {
    for (const text of ['`/incident action done A1 INC-7`', '`/incident resolve [summary]`', '`/incident help`', '`/incident postmortems`', '`/incident whyever`']) {
      expect(discordMentions(text)).toBe(text);
    }
  });

  it('shows the usage lines of the moved commands as typed on Discord', () => {
    expect(discordCommandLine(`\`${en_('usage.postmortem')}\``)).toBe('`/postmortem draft [INC-n]   or   /postmortem done [INC-n] [@reviewer ...]`');
    expect(discordCommandLine(`\`${en_('usage.why')}\``)).toBe('`/postmortem why [INC-n] [1-5] <answer>`');
    expect(discordCommandLine(`\`${en_('usage.stats')}\``)).toBe('`/postmortem stats [--since 30d|90d|2026-10-01] [--service name] [--sev P1]`');
  });

  it('leaves no moved command in its text form in any catalog line, help or usage line (en and ko)', () => {
    const params = { ref: 'INC-7', name: 'why', example: 'INC-7', who: '<@U1>', time: 'then', due: 'soon' };
    for (const catalog of [en, ko]) {
      for (const [key, template] of Object.entries(catalog)) {
        // The terminal's own texts; usage lines are shown through the templates' `{usage}` (below).
        if (key.startsWith('local.') || key.startsWith('usage.')) continue;
        expect(toDiscordText(format(template, params)), key).not.toMatch(stillTextForm);
      }
    }
    for (const c of commands) {
      expect(toDiscordText(en_('error.missing_argument', { what: 'x', usage: en_(c.usage) })), c.name).not.toMatch(stillTextForm);
    }
    const help = commands.map((c) => `\`${en_(c.usage)}\``).join('\n');
    expect(toDiscordText(help)).not.toMatch(stillTextForm);
  });

  it('rewrites the 24 h review reminder in Korean, in the message and in embed fields and footers', () => {
    const text = format(ko['post.postmortem_reminder_24'], { who: '<@U1>', ref: 'INC-7', time: 't', due: 'd' });
    expect(toDiscordText(text)).toContain('`/postmortem draft`으로 초안을 올리고, 리뷰를 마치면 `/postmortem done [@reviewers]`로');
    const [message] = renderMessages({ text: 'x', fields: [{ label: 'How', value: '`/incident stats`' }], footer: 'See `/incident actions mine`.' }, 'G1');
    expect(message?.embeds).toEqual([{ fields: [{ name: 'How', value: '`/postmortem stats`', inline: true }], footer: { text: 'See /postmortem actions mine.' } }]);
  });

  it('keeps people’s words outside code spans and code blocks as typed', () => {
    expect(toDiscordText('<@U1> note: ran /incident stats by hand')).toBe('<@U1> note: ran /incident stats by hand');
    expect(toDiscordText('```\n14:02 /incident why it broke\n```')).toBe('```\n14:02 /incident why it broke\n```');
  });

  it('derives its rules from the layout: a command moved there is rewritten without more code', () => {
    const layout: DiscordCommandLayout[] = [
      { name: 'incident', description: '', subcommands: [{ name: 'note', text: 'note' }] },
      { name: 'oncall', description: '', subcommands: [{ name: 'now', text: 'oncall' }, { name: 'cover', text: 'cover' }] },
    ];
    const rules = mentionRules(layout);
    expect(discordMentions('`/incident oncall payments` `/incident cover @bob 2h` `/incident note x`', rules)).toBe('`/oncall now payments` `/oncall cover @bob 2h` `/incident note x`');
  });
});
