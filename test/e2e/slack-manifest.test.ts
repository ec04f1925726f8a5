import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EVENTS_PATH } from '../../src/adapters/slack/receiver.js';

/**
 * The manifest people create the app from must ask for what the adapter uses: a mismatch only
 * shows up as a missing_scope or a silent channel once installed in a real workspace.
 */

interface Manifest {
  features: { slash_commands: { command: string; url: string; should_escape: boolean }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { request_url: string; bot_events: string[] }; interactivity: { is_enabled: boolean; request_url: string } };
}

describe('docs/slack/manifest.yaml', () => {
  it('declares /incident with escaped mentions, the events and scopes the adapter needs, all on one URL', async () => {
    const m = parse(await readFile('docs/slack/manifest.yaml', 'utf8')) as Manifest;
    const [command] = m.features.slash_commands;
    expect(command).toMatchObject({ command: '/incident', should_escape: true });
    const urls = [command!.url, m.settings.event_subscriptions.request_url, m.settings.interactivity.request_url];
    expect(new Set(urls).size).toBe(1);
    expect(urls[0]!.endsWith(EVENTS_PATH)).toBe(true);
    expect(m.settings.interactivity.is_enabled).toBe(true);
    expect(m.settings.event_subscriptions.bot_events).toEqual(expect.arrayContaining(['message.channels', 'message.groups', 'message.im', 'reaction_added', 'pin_added']));
    const needed = ['commands', 'chat:write', 'channels:manage', 'groups:write', 'channels:read', 'groups:read', 'channels:history', 'groups:history', 'im:write', 'im:history', 'reactions:read', 'reactions:write', 'pins:read', 'pins:write', 'files:write', 'users:read'];
    expect(m.oauth_config.scopes.bot).toEqual(expect.arrayContaining(needed));
  });
});
