import { afterEach, describe, expect, it } from 'vitest';
import { PEOPLE } from '../fakes/fake-discord.js';
import type { InteractionRecord } from '../fakes/fake-discord-state.js';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';
import { discordSteps } from '../support/discord-steps.js';

/**
 * Stakeholder notices and the one-field forms through the real discord.js client against
 * FakeDiscord: a notice draft with Post and Edit, the update modal from `/incident update` and from
 * a reminder's Post update, each modal submitted as a real MODAL_SUBMIT interaction.
 */

const { carol, erin } = PEOPLE;
const CONFIG = { channels: { stakeholders: 'stakeholders', external: 'status-page' } };
const MIN = 60_000;

let app: DiscordTestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(): Promise<{ steps: ReturnType<typeof discordSteps>; channel: string }> {
  app = await discordTestApp(CONFIG, { fake: { textChannels: ['stakeholders', 'status-page'] } });
  const steps = discordSteps(app);
  return { steps, channel: await steps.declare(carol, 'Checkout failing') };
}

/** The ephemeral draft an interaction answered with (its message carries the buttons). */
function draftMessage(i: InteractionRecord) {
  if (!i.original) throw new Error('no draft');
  return i.original;
}

type Input = { custom_id: string; value?: string; max_length?: number };
const inputOf = (modal: Record<string, unknown>) => (modal.components as { components: Input[] }[])[0]!.components[0]!;

describe('notices on Discord', () => {
  it('shows the draft to its author only; Post sends it to #stakeholders and says so in the incident channel', async () => {
    const { steps, channel } = await start();
    const fake = app!.fake;
    const i = fake.slash(carol, channel, 'notice', { audience: 'internal' });
    const draft = await fake.answered(i);
    expect(draft.ephemeral).toBe(true);
    expect(draft.text).toContain('Draft internal notice for INC-1, to #stakeholders.');
    expect(draft.text).toContain('**What is happening:** Checkout failing');
    const stakeholders = fake.channelNamed('stakeholders')!;
    expect(fake.textsIn(stakeholders)).toEqual([]);
    const post = fake.press(carol, draftMessage(i).id, 'Post');
    expect((await fake.answered(post)).text).toBe('Posted the internal notice of INC-1 to #stakeholders.');
    await app!.settle();
    expect(fake.textsIn(stakeholders)).toHaveLength(1);
    expect(fake.textsIn(stakeholders)[0]).toMatch(/^📢 \*\*Incident notice · INC-1\*\* \(P1, investigating\)/);
    await steps.channelSays(channel, `📢 <@${carol.id}> posted the internal notice.`);
    expect((await app!.events()).filter((e) => e.type === 'notice_posted')).toHaveLength(1);
  });

  it('Edit opens a modal filled with the draft; the submitted words are what is posted', async () => {
    const { channel } = await start();
    const fake = app!.fake;
    const i = fake.slash(carol, channel, 'notice', { audience: 'external' });
    await fake.answered(i);
    // Someone who may not speak for the incident gets an answer, not a form.
    const refused = fake.press(erin, draftMessage(i).id, 'Edit');
    expect((await fake.answered(refused)).text).toContain('can post its stakeholder notices');
    expect(refused.modal).toBeUndefined();
    const edit = fake.press(carol, draftMessage(i).id, 'Edit');
    const modal = await fake.modalOf(edit);
    expect(edit.callbackType).toBe(9);
    expect(inputOf(modal).value).toContain('*Service notice* (INC-1)');
    expect(inputOf(modal).value).not.toMatch(/\p{Cc}(?<![\n\t])/u);
    const submitted = fake.submitModal(carol, edit, { [inputOf(modal).custom_id]: 'Card payments are failing for some customers.' });
    expect((await fake.answered(submitted)).text).toBe('Posted the external notice of INC-1 to #status-page.');
    await app!.settle();
    expect(fake.textsIn(fake.channelNamed('status-page')!)).toEqual(['Card payments are failing for some customers.']);
  });
});

describe('the update form on Discord', () => {
  it('opens from `/incident update` with no text; its submission posts the update like the command', async () => {
    const { steps, channel } = await start();
    const fake = app!.fake;
    const i = fake.slash(carol, channel, 'update');
    const modal = await fake.modalOf(i);
    // The modal is the first answer: nothing was deferred before it.
    expect(i.callbackType).toBe(9);
    expect(modal.title).toBe('Status update');
    const submitted = fake.submitModal(carol, i, { [inputOf(modal).custom_id]: 'Rolled back the deploy.\nWatching errors.' });
    expect((await fake.answered(submitted)).text).toBe('Update posted in INC-1 and announced.');
    await steps.channelSays(channel, 'Rolled back the deploy.');
    const updates = (await app!.events()).filter((e) => e.type === 'update_posted');
    expect(updates.map((e) => e.type === 'update_posted' && e.text)).toEqual(['Rolled back the deploy.\nWatching errors.']);
  });

  it("opens from a reminder's Post update button", async () => {
    const { steps, channel } = await start();
    const fake = app!.fake;
    // P1: an update is due 30 minutes after the declaration.
    await app!.advance(30 * MIN);
    const reminder = await fake.until(() => fake.state.messagesIn(channel).find((m) => m.components.some((r) => r.components.some((b) => b.label === 'Post update'))), 5_000, 'the reminder');
    const pressed = fake.press(carol, reminder.id, 'Post update');
    const modal = await fake.modalOf(pressed);
    const submitted = fake.submitModal(carol, pressed, { [inputOf(modal).custom_id]: 'Still digging.' });
    expect((await fake.answered(submitted)).text).toBe('Update posted in INC-1 and announced.');
    await steps.channelSays(channel, 'Still digging.');
  });
});
