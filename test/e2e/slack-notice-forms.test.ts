import { afterEach, describe, expect, it } from 'vitest';
import type { ResponseUrlPost } from '../fakes/fake-slack.js';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';
import { buttonsOf, postsIn, shownText, tsOf } from '../support/slack-views.js';

/**
 * Stakeholder notices and the one-field forms through the real Bolt app against FakeSlack: a
 * notice draft with Post and Edit, the update form from `/incident update` and from a reminder's
 * Post update, and what each submission posts.
 */

const CONFIG = { channels: { stakeholders: 'stakeholders', external: 'status-page' } };
const MIN = 60_000;

let app: SlackTestApp;
afterEach(() => app?.close());

interface Element {
  type?: string;
  action_id?: string;
  value?: string;
}

function answerButtons(answer: ResponseUrlPost): { actionId: string; value: string }[] {
  const blocks = (answer.body.blocks ?? []) as { type: string; elements?: Element[] }[];
  return blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []).map((e) => ({ actionId: String(e.action_id), value: String(e.value) }));
}

/** Carol declares a P1 from #general; returns its channel's id. */
async function declare(): Promise<string> {
  const general = app.fake.workspace.channelByName('general')!;
  const sent = await app.send.command('declare Checkout failing --sev P1', { user: PEOPLE.carol, channel: general.id });
  await app.fake.waitForResponse(sent.responseUrl);
  await app.settle();
  return app.fake.workspace.channelByName('inc-1-checkout-failing')!.id;
}

async function formOpenedBy(trigger: string): Promise<{ view: Record<string, unknown> }> {
  const opened = await app.fake.waitForCall('views.open', (c) => c.params.trigger_id === trigger);
  return { view: opened.params.view as Record<string, unknown> };
}

const typed = (value: string) => ({ text: { value: { type: 'plain_text_input', value } } });

describe('notices on Slack', () => {
  it('shows the draft to its author only; Post sends it to #stakeholders and says so in the incident channel', async () => {
    app = await slackTestApp(CONFIG);
    const stakeholders = app.fake.workspace.addChannel('stakeholders');
    const channel = await declare();
    const sent = await app.send.command('notice internal', { user: PEOPLE.carol, channel });
    const draft = await app.fake.waitForResponse(sent.responseUrl);
    expect(draft.body.response_type).toBe('ephemeral');
    expect(draft.body.text).toContain('Draft internal notice for INC-1, to #stakeholders.');
    expect(draft.body.text).toContain('*What is happening:* Checkout failing');
    const [post, edit] = answerButtons(draft);
    expect([post?.actionId, edit?.actionId]).toEqual(['incident_notice_internal', 'incident_notice_edit_internal']);
    await app.settle();
    expect(postsIn(app.fake, stakeholders.id)).toHaveLength(0);

    const pressed = await app.send.press({ user: PEOPLE.carol, actionId: post!.actionId, value: post!.value, channel, messageTs: '1.000' });
    expect((await app.fake.waitForResponse(pressed.responseUrl)).body.text).toBe('Posted the internal notice of INC-1 to #stakeholders.');
    await app.settle();
    const [notice] = postsIn(app.fake, stakeholders.id);
    expect(shownText(notice!)).toMatch(/^:loudspeaker: \*Incident notice · INC-1\* \(P1, investigating\)/);
    expect(postsIn(app.fake, channel).map(shownText)).toContain(`:loudspeaker: <@${PEOPLE.carol}> posted the internal notice.`);
    expect((await app.events()).filter((e) => e.type === 'notice_posted')).toHaveLength(1);
  });

  it('Edit opens a form filled with the draft; the edited words are what is posted', async () => {
    app = await slackTestApp(CONFIG);
    const status = app.fake.workspace.addChannel('status-page');
    const channel = await declare();
    const sent = await app.send.command('notice external', { user: PEOPLE.carol, channel });
    const edit = answerButtons(await app.fake.waitForResponse(sent.responseUrl)).find((b) => b.actionId === 'incident_notice_edit_external')!;
    // Someone who may not speak for the incident gets no form.
    const refused = await app.send.press({ user: PEOPLE.erin, actionId: edit.actionId, value: edit.value, channel, messageTs: '1.000' });
    expect((await app.fake.waitForResponse(refused.responseUrl)).body.text).toContain('can post its stakeholder notices');
    expect(app.fake.callsTo('views.open')).toHaveLength(0);

    const pressed = await app.send.press({ user: PEOPLE.carol, actionId: edit.actionId, value: edit.value, channel, messageTs: '1.000' });
    const { view } = await app.fake.waitFor(() => {
      const call = app.fake.callsTo('views.open').at(-1);
      return call ? { view: call.params.view as Record<string, unknown> } : null;
    }, 'the notice form');
    const input = (view.blocks as { element: { initial_value?: string; max_length?: number } }[])[0]!.element;
    expect(input.initial_value).toContain('*Service notice* (INC-1)');
    expect(input.initial_value).not.toMatch(/\p{Cc}(?<![\n\t])/u);
    const submitted = await app.send.submit({ user: PEOPLE.carol, view, values: typed('Card payments are failing for some customers. We will update you by 10:00.') });
    expect(submitted.status).toBe(200);
    expect((await app.fake.waitForResponse(pressed.responseUrl)).body.text).toContain('Posted the external notice of INC-1 to #status-page.');
    await app.settle();
    expect(postsIn(app.fake, status.id).map(shownText)).toEqual(['Card payments are failing for some customers. We will update you by 10:00.']);
  });
});

describe('the update form on Slack', () => {
  it('opens from `/incident update` with no text; its submission posts the update like the command', async () => {
    app = await slackTestApp(CONFIG);
    const channel = await declare();
    const sent = await app.send.command('update', { user: PEOPLE.carol, channel });
    const { view } = await formOpenedBy(sent.triggerId);
    expect(view.callback_id).toBe('incident_update_form');
    const submitted = await app.send.submit({ user: PEOPLE.carol, view, values: typed('Rolled back the deploy.\nWatching errors.') });
    expect(submitted.status).toBe(200);
    expect((await app.fake.waitForResponse(sent.responseUrl)).body.text).toBe('Update posted in INC-1 and announced.');
    await app.settle();
    expect(postsIn(app.fake, channel).map(shownText).some((t) => t.includes('*Update* from') && t.includes('Rolled back the deploy.\nWatching errors.'))).toBe(true);
    const incidents = app.fake.workspace.channelByName('incidents')!;
    expect(postsIn(app.fake, incidents.id).map(shownText).some((t) => t.includes('INC-1 update'))).toBe(true);
    expect((await app.events()).filter((e) => e.type === 'update_posted').map((e) => e.type === 'update_posted' && e.text)).toEqual(['Rolled back the deploy.\nWatching errors.']);
  });

  it('answers as the command does outside an incident channel, and keeps an empty form open', async () => {
    app = await slackTestApp(CONFIG);
    const channel = await declare();
    const general = app.fake.workspace.channelByName('general')!;
    const outside = await app.send.command('update', { user: PEOPLE.carol, channel: general.id });
    expect((await app.fake.waitForResponse(outside.responseUrl)).body.text).toContain('`/incident update` works inside an incident channel');
    expect(app.fake.callsTo('views.open')).toHaveLength(0);
    const sent = await app.send.command('update', { user: PEOPLE.carol, channel });
    const { view } = await formOpenedBy(sent.triggerId);
    const empty = await app.send.submit({ user: PEOPLE.carol, view, values: typed('   ') });
    expect(JSON.parse(empty.body)).toEqual({ response_action: 'errors', errors: { text: 'Write something first.' } });
    await app.settle();
    expect((await app.events()).some((e) => e.type === 'update_posted')).toBe(false);
  });

  it("opens from a reminder's Post update button", async () => {
    app = await slackTestApp(CONFIG);
    const channel = await declare();
    // P1: an update is due 30 minutes after the declaration.
    await app.advance(30 * MIN);
    const reminder = await app.fake.waitFor(() => postsIn(app.fake, channel).find((c) => buttonsOf(c).some((b) => b.actionId === 'incident_update')), 'the update reminder');
    const button = buttonsOf(reminder).find((b) => b.actionId === 'incident_update')!;
    const pressed = await app.send.press({ user: PEOPLE.carol, actionId: button.actionId, value: button.value, channel, messageTs: tsOf(reminder) });
    const { view } = await app.fake.waitFor(() => {
      const call = app.fake.callsTo('views.open').at(-1);
      return call ? { view: call.params.view as Record<string, unknown> } : null;
    }, 'the update form');
    expect(view.callback_id).toBe('incident_update_form');
    await app.send.submit({ user: PEOPLE.carol, view, values: typed('Still digging, next update in 30 min.') });
    expect((await app.fake.waitForResponse(pressed.responseUrl)).body.text).toBe('Update posted in INC-1 and announced.');
    await app.settle();
    expect((await app.events()).filter((e) => e.type === 'update_posted')).toHaveLength(1);
  });
});
