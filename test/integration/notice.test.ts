import { afterEach, describe, expect, it } from 'vitest';
import type { IncidentEvent } from '../../src/core/events.js';
import { testApp, type TestApp } from '../support/app.js';
import { MIN, text } from '../support/paging.js';

/**
 * Stakeholder notices (issue 11 item 3) on the real local workspace, dispatcher, Redis store,
 * outbox and queues: the draft is shown to its author only, Post sends it to the configured
 * channel and records it, and every refusal writes nothing.
 */

let app: TestApp;
afterEach(() => app?.close());

const START = new Date('2025-12-26T09:00:00Z');
const CHANNELS = { timeZone: 'UTC', channels: { stakeholders: 'stakeholders', external: 'status-page' } };

async function events(): Promise<IncidentEvent[]> {
  return app.deps.store.events({ workspace: 'local', number: 1 });
}

/** The id of the last message in `out` whose head or first line says `needle`. */
const messageId = (out: string, needle: string) => [...out.matchAll(/\[[^\]]*· (m\d+)\][^\n]*\n?[^\n]*/g)].filter((m) => m[0].includes(needle)).map((m) => m[1]).at(-1) ?? '';

async function declare(): Promise<void> {
  await app.type('/as @carol');
  await app.type('/incident declare Checkout failing --sev P1 --summary "card payments time out"');
  await app.type('/join #inc-1-checkout-failing');
}

describe('/incident notice', () => {
  it('shows the draft to its author alone; Post sends it to the stakeholders channel, records it and ticks notified', async () => {
    app = await testApp(CHANNELS, START);
    await declare();
    app.clock.advance(5 * MIN);
    await app.type('/incident status identified connection pool exhausted');
    const before = (await events()).length;
    const out = text(await app.type('/incident notice internal'));
    expect(out).toMatch(/\[only @carol sees this · m\d+\] bot:\s*📝 Draft internal notice for INC-1, to #stakeholders\./);
    expect(out).toContain('What is happening: Checkout failing: card payments time out');
    expect(out).toContain('Cause: connection pool exhausted');
    expect(out).toMatch(/\[ Post \] \[ Edit \]/);
    // Nothing posted, nothing written: a draft is only a draft.
    expect(out).not.toContain('[#stakeholders');
    expect(await events()).toHaveLength(before);

    const posted = text(await app.type(`/press ${messageId(out, 'Draft internal notice')} notice_internal`));
    expect(posted).toContain('Posted the internal notice of INC-1 to #stakeholders.');
    expect(posted).toMatch(/\[#stakeholders · m\d+\] bot:\s*📢 Incident notice · INC-1 \(P1, identified\)\n\s*What is happening: Checkout failing/);
    expect(posted).toMatch(/\[#inc-1-checkout-failing · m\d+\] bot:\s*📢 @carol posted the internal notice\./);
    expect(posted).toMatch(/✅ 5\. Notified \(an update or notice posted\)/);
    const notices = (await events()).filter((e) => e.type === 'notice_posted');
    expect(notices).toEqual([expect.objectContaining({ audience: 'internal', actor: { id: 'carol', name: 'carol' } })]);
    expect((await app.deps.store.get({ workspace: 'local', number: 1 }))?.notices).toEqual({ internal: 1 });
    // The timeline has it too.
    expect(text(await app.type('/incident timeline'))).toContain('internal notice posted');
  });

  it('posts at once with --post, the given words instead of the draft; external to its own channel', async () => {
    app = await testApp(CHANNELS, START);
    await declare();
    const out = text(await app.type('/incident notice external --post Payments are failing for some customers. Next update 09:30.'));
    expect(out).toContain('Posted the external notice of INC-1 to #status-page.');
    expect(out).toMatch(/\[#status-page · m\d+\] bot:\s*Payments are failing for some customers\. Next update 09:30\./);
    const drafted = text(await app.type('/incident notice external --post'));
    expect(drafted).toMatch(/\[#status-page · m\d+\] bot:\s*Service notice \(INC-1\)\n\s*We are investigating a problem\./);
    // The customer-facing draft names nobody and links no channel.
    const posted = drafted.slice(drafted.indexOf('[#status-page')).split('\n[')[0] ?? '';
    expect(posted).toContain('What we are doing: We are investigating a problem.');
    expect(posted).not.toMatch(/@carol|#inc-1/);
    expect((await events()).filter((e) => e.type === 'notice_posted').map((e) => e.type === 'notice_posted' && e.audience)).toEqual(['external', 'external']);
  });

  it('does not post a draft the incident has moved on from; Edit on the terminal says how to post other words', async () => {
    app = await testApp(CHANNELS, START);
    await declare();
    const out = text(await app.type('/incident notice internal'));
    const draft = messageId(out, 'Draft internal notice');
    expect(text(await app.type(`/press ${draft} notice_edit_internal`))).toContain('To post an edited text, type `/incident notice INC-1 internal --post <text>`.');
    await app.type('/incident update rolled back the deploy');
    const stale = text(await app.type(`/press ${draft} notice_internal`));
    expect(stale).toContain('INC-1 changed since this draft was made, so it was not posted.');
    expect((await events()).some((e) => e.type === 'notice_posted')).toBe(false);
  });

  it('says which key to set when the audience has no channel, and writes nothing', async () => {
    app = await testApp({ timeZone: 'UTC', channels: { stakeholders: 'stakeholders' } }, START);
    await declare();
    const before = (await events()).length;
    for (const line of ['/incident notice external', '/incident notice external --post hello']) {
      const out = text(await app.type(line));
      expect(out).toContain('No channel is set for external notices, so nothing was posted. Set `channels.external` in the config');
    }
    expect(await events()).toHaveLength(before);
  });

  it('refuses people who may not speak for the incident, unknown audiences and too long text, writing nothing', async () => {
    app = await testApp({ ...CHANNELS, limits: { text: 200 } }, START);
    await declare();
    const draft = messageId(text(await app.type('/incident notice internal')), 'Draft internal notice');
    const before = (await events()).length;
    await app.type('/as @zoe');
    expect(text(await app.type('/incident notice internal'))).toContain('Only the commander or the declarer of INC-1 (@carol) or an admin can post its stakeholder notices.');
    expect(text(await app.type(`/press ${draft} notice_internal`))).toContain('can post its stakeholder notices');
    await app.type('/as @carol');
    expect(text(await app.type('/incident notice press'))).toContain('`press` is not an audience.');
    expect(text(await app.type('/incident notice'))).toContain('Missing the audience (internal or external).');
    expect(text(await app.type('/incident notice internal now'))).toContain('`now` is not --post');
    expect(text(await app.type(`/incident notice internal --post ${'x'.repeat(201)}`))).toContain('Too long: the notice text takes at most 200 characters (yours has 201).');
    expect(await events()).toHaveLength(before);
    expect(app.output.join('\n')).not.toContain('[#stakeholders');
    // Comms speaks for the incident: once made comms, zoe may.
    await app.type('/incident role comms @zoe');
    await app.type('/as @zoe');
    expect(text(await app.type('/incident notice internal --post all good'))).toContain('Posted the internal notice of INC-1');
  });
});
