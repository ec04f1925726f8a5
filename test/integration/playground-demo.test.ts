import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { playgroundDemo } from '../../src/web/playground-demo.js';
import { testApp, type TestApp } from '../support/app.js';

/**
 * "Play the demo" on a bot whose config pages nobody (no escalation policy, as `npm start` with
 * no INCIDENT_CONFIG): the commander pages dave by hand, dave's ✅ acknowledges, and a page the
 * visitor got before the demo is left alone.
 */

let app: TestApp;

beforeEach(async () => {
  app = await testApp({ services: [{ id: 'checkout', name: 'Checkout API' }] });
});

afterEach(async () => {
  await app.close();
});

describe('the playground demo without a policy', () => {
  it('pages dave by hand, takes his ✅, and does not touch a page from before the demo', async () => {
    // The visitor's own incident, with alice paged by hand and not answering.
    await app.type('/incident declare Before the demo --sev P3');
    await app.type('/incident page @alice');
    const alicePage = [...app.chat.messages.values()].find((m) => m.channelId === 'dm-alice' && m.message.actions?.some((a) => a.id === 'ack'));
    expect(alicePage).toBeDefined();

    const said: string[] = [];
    await playgroundDemo({ deps: app.deps, workspace: app.chat, commands }, { pause: async () => undefined })((line) => said.push(line));
    await app.advance(0);

    expect(said.join('\n')).toContain('/incident page @dave');
    expect(said.join('\n')).toMatch(/@dave reacted ✅/);
    const inc2 = await app.deps.store.get({ workspace: 'local', number: 2 });
    expect(inc2?.title).toContain('Sale-day outage');
    expect(inc2?.status).toBe('closed');
    const events = await app.deps.store.events({ workspace: 'local', number: 2 });
    expect(events.some((e) => e.type === 'acknowledged' && e.actor.id === 'dave')).toBe(true);
    // Alice's page of INC-1 got no reaction from the demo, and INC-1 is still unacknowledged.
    expect(app.chat.reactions.get(alicePage!.id) ?? []).toEqual([]);
    const inc1Events = await app.deps.store.events({ workspace: 'local', number: 1 });
    expect(inc1Events.some((e) => e.type === 'acknowledged')).toBe(false);
  });
});
