import { afterEach, describe, expect, it } from 'vitest';
import { invocationText, optionsOf } from '../../src/adapters/discord/command-options.js';
import { IDS, PEOPLE } from '../fakes/fake-discord.js';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';
import { discordSteps } from '../support/discord-steps.js';

/**
 * Issue 8: an incident whose channel could not be opened must be reachable by reference from
 * anywhere. On Discord the subcommands take typed options, so every incident-scoped one has an
 * `incident` option that becomes the `INC-n` the dispatcher reads.
 */

const { carol } = PEOPLE;
let app: DiscordTestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('the incident option on Discord', () => {
  it('puts the reference right after the subcommand, before keywords and free text', () => {
    expect(invocationText('resolve', new Map([['summary', 'fixed it'], ['incident', 'INC-7']]))).toBe('resolve INC-7 fixed it');
    expect(invocationText('action', new Map([['done', 'A1'], ['incident', 'inc-7']]))).toBe('action inc-7 done A1');
    expect(invocationText('status', new Map([['status', 'monitoring']]))).toBe('status monitoring');
    for (const sub of ['status', 'sev', 'note', 'resolve', 'close', 'cancel', 'ack', 'page', 'escalate', 'timeline', 'role', 'action']) {
      expect(optionsOf(sub).at(-1)?.name).toBe('incident');
    }
    expect(optionsOf('declare').some((o) => o.name === 'incident')).toBe(false);
  });

  it('resolves an incident named by reference from #general', async () => {
    app = await discordTestApp();
    const { declare, slash } = discordSteps(app);
    await declare(carol, 'DB down');
    const answer = await slash(carol, IDS.general, 'resolve', { summary: 'rolled back', incident: 'INC-1' });
    expect(answer.text).toContain('Done.');
    const events = await app.deps.store.events({ workspace: app.workspace, number: 1 });
    expect(events.find((e) => e.type === 'resolved')).toMatchObject({ summary: 'rolled back', actor: { id: carol.id } });
  });
});
