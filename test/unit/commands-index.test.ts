import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import type { Command } from '../../src/app/context.js';
import { en } from '../../src/core/i18n/en.js';

const dir = new URL('../../commands/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();
const catalog: Record<string, string> = en;

function isCommand(value: unknown): value is Command {
  return typeof value === 'object' && value !== null && 'name' in value && 'run' in value;
}

describe('commands/index.ts', () => {
  it('finds command files at all', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('lists a command for every file in commands/, and none without a file', () => {
    expect(commands.map((c) => c.name).sort()).toEqual(files);
  });

  it.each(files)('lists the very command that commands/%s.ts exports', async (file) => {
    const mod = (await import(new URL(`${file}.ts`, dir).href)) as Record<string, unknown>;
    const exported = Object.values(mod).filter(isCommand);
    expect(exported.map((c) => c.name)).toEqual([file]);
    expect(commands).toContain(exported[0]);
  });

  it('has unique names', () => {
    const names = commands.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(commands.map((c) => [c.name, c] as const))('%s has its own usage and help lines', (name, command) => {
    expect(command.usage).toBe(`usage.${name}`);
    expect(command.help).toBe(`help.${name}`);
    expect(catalog[command.usage]).toMatch(new RegExp(`^/incident ${name}(\\s|$)`));
    expect(catalog[command.help]?.trim()).toBeTruthy();
  });

  it('lets declare, drill, list, stats, actions, web, help and the on-call commands run anywhere; everything else only in an incident channel', () => {
    const anywhere = commands.filter((c) => c.scope === 'anywhere').map((c) => c.name).sort();
    expect(anywhere).toEqual(['actions', 'cover', 'declare', 'drill', 'help', 'list', 'oncall', 'policy', 'stats', 'web']);
    expect(commands.every((c) => c.scope === 'anywhere' || c.scope === 'incident')).toBe(true);
  });

  it('shows declare first and help last in the help listing', () => {
    expect(commands[0]?.name).toBe('declare');
    expect(commands.at(-1)?.name).toBe('help');
  });
});
