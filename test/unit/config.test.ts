import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig, parseConfig, parseEnv, severityLevel, type AppConfig } from '../../src/config.js';

function problems(doc: unknown): string[] {
  const result = parseConfig(doc);
  if (result.ok) throw new Error('expected the config to be refused');
  return result.problems;
}

function ok(doc: unknown): AppConfig {
  const result = parseConfig(doc);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

const sev = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: id, responseMinutes: 10, updateEveryMinutes: 20, ...extra });

describe('parseConfig defaults', () => {
  it('gives seed 004 severities P1 15 min, P2 30, P3 120, P4 1440', () => {
    const config = ok({});
    expect(config.severities.map((s) => [s.id, s.name, s.responseMinutes])).toEqual([
      ['P1', 'Critical', 15],
      ['P2', 'High', 30],
      ['P3', 'Medium', 120],
      ['P4', 'Low', 1440],
    ]);
    expect(config.severities.every((s) => s.updateEveryMinutes > 0)).toBe(true);
  });

  it('fills every other setting', () => {
    expect(ok({})).toMatchObject({
      locale: 'en',
      timeZone: 'UTC',
      defaultSeverity: 'P3',
      services: [],
      channels: { prefix: 'inc', announce: 'incidents' },
      postmortems: { dir: '.data/postmortems' },
    });
  });

  it('treats an empty YAML file (null) as no settings', () => {
    expect(ok(parseYaml(''))).toEqual(ok({}));
    expect(ok(null)).toEqual(ok({}));
  });

  it('keeps what the file sets and defaults the rest', () => {
    const config = ok(
      parseYaml(`
timeZone: Asia/Seoul
defaultSeverity: SEV2
severities:
  - { id: SEV1, name: Outage, responseMinutes: 5, updateEveryMinutes: 15 }
  - { id: SEV2, name: Degraded, responseMinutes: 30, updateEveryMinutes: 60 }
services:
  - { id: payments, team: pay }
channels:
  prefix: sev
`),
    );
    expect(config.timeZone).toBe('Asia/Seoul');
    expect(config.severities.map((s) => s.id)).toEqual(['SEV1', 'SEV2']);
    expect(severityLevel(config, 'SEV1')?.description).toBe('');
    expect(config.channels).toEqual({ prefix: 'sev', announce: 'incidents' });
    expect(config.services).toEqual([{ id: 'payments', team: ['pay'] }]);
  });
});

describe('parseConfig problems', () => {
  it('lists every problem at once, each starting with its path', () => {
    const list = problems({
      timeZone: 'Mars/Olympus',
      bogus: true,
      severities: [sev('P1', { responseMinutes: -1 }), sev('bad id!', { name: '', updateEveryMinutes: 0 })],
    });
    expect(list.length).toBeGreaterThanOrEqual(4);
    for (const p of list) expect(p).toMatch(/^(\(top level\)|[A-Za-z]+(\.[A-Za-z0-9]+)*): \S/);
    const paths = list.map((p) => p.slice(0, p.indexOf(':')));
    expect(paths).toEqual(
      expect.arrayContaining(['timeZone', 'severities.0.responseMinutes', 'severities.1.id', 'severities.1.name', 'severities.1.updateEveryMinutes']),
    );
    expect(list.some((p) => p.includes('bogus'))).toBe(true);
    expect(list.find((p) => p.startsWith('timeZone:'))).toContain('IANA');
  });

  it('refuses duplicate severity ids, pointing at the second', () => {
    expect(problems({ severities: [sev('P1'), sev('P2'), sev('P1')], defaultSeverity: 'P1' })).toEqual(['severities.2.id: duplicate severity P1']);
  });

  it('refuses a defaultSeverity that is not among the severities', () => {
    expect(problems({ defaultSeverity: 'P9' })).toEqual(['defaultSeverity: must be one of P1, P2, P3, P4']);
    expect(problems({ severities: [sev('SEV1')] })).toEqual(['defaultSeverity: must be one of SEV1']);
  });

  it('reports a cross-field problem together with a field problem', () => {
    const list = problems({ timeZone: 'Nowhere/Atall', defaultSeverity: 'P9' });
    expect(list.map((p) => p.slice(0, p.indexOf(':')))).toEqual(expect.arrayContaining(['timeZone', 'defaultSeverity']));
  });

  it('refuses duplicate services and a bad channel prefix', () => {
    const list = problems({ services: [{ id: 'api' }, { id: 'api' }], channels: { prefix: 'Inc!' } });
    expect(list.some((p) => p.startsWith('channels.prefix:'))).toBe(true);
    // The duplicate check runs once the fields themselves are valid.
    expect(problems({ services: [{ id: 'api' }, { id: 'api' }] })).toEqual(['services.1.id: duplicate service api']);
  });

  it('refuses an empty severity list and an unsupported locale', () => {
    expect(problems({ severities: [] }).some((p) => p.startsWith('severities:'))).toBe(true);
    expect(problems({ locale: 'fr' }).some((p) => p.startsWith('locale:'))).toBe(true);
  });
});

describe('loadConfig', () => {
  it('uses the defaults when no file is configured', () => {
    expect(loadConfig(undefined)).toEqual(parseConfig({}));
  });

  it('says a missing file cannot be read, naming it', () => {
    const result = loadConfig('/nonexistent/incident.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toEqual([expect.stringMatching(/^\/nonexistent\/incident\.yaml: cannot be read \(ENOENT\)/)]);
  });

  const example = fileURLToPath(new URL('../../docs/incident.example.yaml', import.meta.url));
  it.skipIf(!existsSync(example))('accepts docs/incident.example.yaml', () => {
    const result = loadConfig(example);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });
});

describe('the environment', () => {
  it('treats empty variables as unset, as docker compose passes them', () => {
    const result = parseEnv({ SLACK_BOT_TOKEN: '', DISCORD_GUILD_ID: '', INCIDENT_CONFIG: '', PORT: '' });
    expect(result).toMatchObject({ ok: true, env: { PORT: 3000 } });
    if (result.ok) expect(result.env.SLACK_BOT_TOKEN).toBeUndefined();
  });

  it('lists every problem with the variable it concerns', () => {
    const result = parseEnv({ SLACK_BOT_TOKEN: 'xoxp-user-token', DISCORD_TOKEN: 't', DISCORD_GUILD_ID: '12,abc' });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems.join('\n');
    expect(problems).toContain('SLACK_BOT_TOKEN: a bot token starts with xoxb-');
    expect(problems).toContain('DISCORD_GUILD_ID: one guild id or several, comma-separated');
  });
});
