import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import type { Command } from '../../src/app/context.js';
import { discordCommands } from '../../src/adapters/discord/command-definition.js';
import { commandOf, DISCORD_COMMANDS, MAX_SUBCOMMANDS, subcommandText, unplaced, type DiscordCommandLayout } from '../../src/adapters/discord/command-layout.js';
import { invocationText, SUBCOMMAND_OPTIONS } from '../../src/adapters/discord/command-options.js';
import { parseConfig, type AppConfig } from '../../src/config.js';
import { translator } from '../../src/core/i18n/index.js';

/**
 * Discord allows 25 subcommands per application command, so commands/index.ts is spread over
 * `/incident` and `/postmortem` by hand (command-layout.ts). These tests fail when a command is
 * added without a place on Discord, or when a command would go over the limit.
 */

function config(): AppConfig {
  const parsed = parseConfig({});
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.config;
}

const names = (c: DiscordCommandLayout) => c.subcommands.map((s) => s.name);
const text = (sub: string, values: Record<string, string | boolean> = {}) => invocationText(sub, new Map(Object.entries(values)));

describe('the Discord command layout', () => {
  it('puts every command of commands/index.ts on a Discord command', () => {
    expect(unplaced(commands)).toEqual([]);
  });

  it('names only commands that exist, and each subcommand once per Discord command', () => {
    const known = new Set(commands.map((c) => c.name));
    for (const layout of DISCORD_COMMANDS) {
      for (const place of layout.subcommands) expect(known.has(commandOf(place)), `/${layout.name} ${place.name}`).toBe(true);
      expect(new Set(names(layout)).size, layout.name).toBe(layout.subcommands.length);
    }
    expect(new Set(DISCORD_COMMANDS.map((c) => c.name)).size).toBe(DISCORD_COMMANDS.length);
  });

  it.each(DISCORD_COMMANDS.map((c) => [c.name, c] as const))('/%s has at most 25 subcommands', (_, layout) => {
    expect(layout.subcommands.length).toBeLessThanOrEqual(MAX_SUBCOMMANDS);
  });

  it('gives every subcommand its typed options, not the one free-text fallback', () => {
    for (const place of DISCORD_COMMANDS.flatMap((c) => c.subcommands)) expect(SUBCOMMAND_OPTIONS[place.text], place.text).toBeDefined();
  });

  it('keeps /incident as it was registered before issue 12, with web (issue 14) before help', () => {
    expect(names(DISCORD_COMMANDS[0]!)).toEqual([
      'declare', 'status', 'update', 'notice', 'sev', 'role', 'note', 'timeline', 'action', 'ack', 'page', 'escalate',
      'resolve', 'reopen', 'close', 'cancel', 'checklist', 'list', 'drill', 'oncall', 'cover', 'policy', 'web', 'help',
    ]);
    expect(DISCORD_COMMANDS[0]!.subcommands.every((s) => s.text === s.name)).toBe(true);
    expect(DISCORD_COMMANDS.map((c) => c.name)).toEqual(['incident', 'postmortem']);
    expect(names(DISCORD_COMMANDS[1]!)).toEqual(['why', 'cause', 'impact', 'lesson', 'summary', 'draft', 'done', 'actions', 'stats']);
  });

  it('counts a layout over the limit as such, and a command left out as unplaced', () => {
    const many: Command[] = Array.from({ length: 26 }, (_, i) => ({ ...commands[0]!, name: `c${i}` }));
    const layout = [{ name: 'big', description: 'too big', subcommands: many.map((c) => ({ name: c.name, text: c.name })) }];
    expect(() => discordCommands(many, config(), translator('en'), layout)).toThrow('/big would have 26 subcommands; Discord allows 25');
    expect(unplaced(many, [{ ...layout[0]!, subcommands: layout[0]!.subcommands.slice(1) }])).toEqual(['c0']);
  });
});

describe('the registered commands', () => {
  it('build for Discord: /incident and /postmortem, each subcommand described and typed', () => {
    const built = discordCommands(commands, config(), translator('en'));
    expect(built.map((c) => [c.name, c.options?.length])).toEqual([
      ['incident', 24],
      ['postmortem', 9],
    ]);
    const postmortem = built[1]!.options as unknown as { name: string; description: string; options: { name: string; required?: boolean }[] }[];
    const sub = (name: string) => postmortem.find((o) => o.name === name)!;
    expect(sub('why').options.map((o) => [o.name, o.required ?? false])).toEqual([['answer', true], ['number', false], ['incident', false]]);
    expect(sub('draft')).toMatchObject({ description: 'write the postmortem draft again from the timeline and post it', options: [{ name: 'incident' }] });
    expect(sub('done').options.map((o) => o.name)).toEqual(['reviewers', 'incident']);
    expect(sub('stats').options.map((o) => o.name)).toEqual(['since', 'service', 'sev']);
    expect(sub('actions').options.map((o) => o.name)).toEqual(['filter', 'service']);
  });

  it('describes them in Korean with the ko catalog', () => {
    const built = discordCommands(commands, config(), translator('ko'));
    const done = (built[1]!.options as unknown as { name: string; description: string }[]).find((o) => o.name === 'done');
    expect(done?.description).toContain('포스트모템 리뷰를 기록합니다');
  });
});

describe('/postmortem subcommands become the text commands the dispatcher runs', () => {
  it('maps each subcommand to its text command line', () => {
    expect(subcommandText('postmortem', 'why')).toBe('why');
    expect(subcommandText('postmortem', 'draft')).toBe('postmortem');
    expect(subcommandText('postmortem', 'done')).toBe('postmortem done');
    expect(subcommandText('incident', 'declare')).toBe('declare');
  });

  it('puts the incident right after the command, before the fixed words and the reviewers', () => {
    expect(text('why', { answer: 'the pool was too small' })).toBe('why the pool was too small');
    expect(text('why', { number: '3', answer: 'no alert', incident: 'INC-7' })).toBe('why INC-7 3 no alert');
    expect(text('postmortem done', { incident: 'INC-7', reviewers: '<@200000000000000001>' })).toBe('postmortem INC-7 done <@200000000000000001>');
    expect(text('postmortem done')).toBe('postmortem done');
    expect(text('postmortem', { incident: 'inc-7' })).toBe('postmortem inc-7');
    expect(text('postmortem')).toBe('postmortem');
    expect(text('cause', { text: 'a missing index', underlying: true })).toBe('cause --underlying a missing index');
    expect(text('lesson', { kind: 'lucky', text: 'it was a Sunday' })).toBe('lesson lucky it was a Sunday');
    expect(text('actions', { filter: 'overdue', service: 'checkout' })).toBe('actions overdue --service checkout');
    expect(text('stats', { since: '90d', sev: 'P1' })).toBe('stats --since 90d --sev P1');
  });
});
