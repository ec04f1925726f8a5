import { afterEach, describe, expect, it } from 'vitest';
import type { ApiCall } from '../fakes/fake-slack.js';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';
import { buttonsOf, dmsTo, tsOf } from '../support/slack-views.js';

/**
 * The declare form (`/incident declare` with no title) and the buttons on a page DM, through
 * the real Bolt app: what opens, what a submission declares, what a wrong field shows, and what
 * Acknowledge and Escalate do.
 */

const CONFIG = {
  services: [{ id: 'checkout', name: 'Checkout' }, { id: 'search' }],
  policies: [{ id: 'default', tiers: [{ targets: [{ user: PEOPLE.alice }], delay: '5m' }, { targets: [{ user: PEOPLE.dave }], delay: '5m' }] }],
  defaultPolicy: 'default',
};

let app: SlackTestApp;
afterEach(() => app?.close());

interface Option {
  value: string;
}
interface InputBlock {
  block_id: string;
  element: { type: string; options?: Option[]; initial_option?: Option };
}

async function openForm(): Promise<{ view: Record<string, unknown>; responseUrl: string }> {
  const general = app.fake.workspace.channelByName('general')!;
  const sent = await app.send.command('declare', { user: PEOPLE.carol, channel: general.id });
  expect(sent.status).toBe(200);
  const opened = await app.fake.waitForCall('views.open');
  expect(opened.params.trigger_id).toBe(sent.triggerId);
  return { view: opened.params.view as Record<string, unknown>, responseUrl: sent.responseUrl };
}

const values = (o: { title: string; sev: string; service?: string; private?: boolean }) => ({
  title: { value: { type: 'plain_text_input', value: o.title } },
  sev: { value: { type: 'static_select', selected_option: { value: o.sev } } },
  service: { value: { type: 'static_select', selected_option: o.service ? { value: o.service } : null } },
  summary: { value: { type: 'plain_text_input', value: 'Card payments fail with 502' } },
  private: { value: { type: 'checkboxes', selected_options: o.private ? [{ value: 'private' }] : [] } },
});

describe('the declare form', () => {
  it('opens with the configured severities and services, and a submission declares the incident', async () => {
    app = await slackTestApp(CONFIG);
    const { view, responseUrl } = await openForm();
    const blocks = view.blocks as InputBlock[];
    const byId = (id: string) => blocks.find((b) => b.block_id === id)!;
    expect(byId('sev').element.options!.map((o) => o.value)).toEqual(['P1', 'P2', 'P3', 'P4']);
    expect(byId('sev').element.initial_option!.value).toBe('P3');
    expect(byId('service').element.options!.map((o) => o.value)).toEqual(['checkout', 'search']);

    const submitted = await app.send.submit({ user: PEOPLE.carol, view, values: values({ title: 'Payments failing', sev: 'P1', service: 'checkout', private: true }) });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toBe('');
    const answer = await app.fake.waitForResponse(responseUrl);
    expect(answer.body.response_type).toBe('ephemeral');
    expect(answer.body.text).toMatch(/^Declared INC-1: \*Payments failing\* \(P1\)\. Channel: <#C\w+>$/);
    await app.settle();
    const channel = app.fake.workspace.channelByName('inc-1-payments-failing')!;
    expect(channel.is_private).toBe(true);
    const incident = await app.deps.store.get({ workspace: app.workspace, number: 1 });
    expect(incident).toMatchObject({ severity: 'P1', service: 'checkout', summary: 'Card payments fail with 502', private: true, declaredBy: { id: PEOPLE.carol } });
  });

  it('keeps the form open with the problem next to the field when the title is empty', async () => {
    app = await slackTestApp(CONFIG);
    const { view } = await openForm();
    const submitted = await app.send.submit({ user: PEOPLE.carol, view, values: values({ title: '   ', sev: 'P2' }) });
    expect(submitted.status).toBe(200);
    expect(JSON.parse(submitted.body)).toEqual({ response_action: 'errors', errors: { title: 'Missing a title.' } });
    await app.settle();
    expect(await app.deps.store.get({ workspace: app.workspace, number: 1 })).toBeNull();
  });

  it('opens the form only after the command was answered', async () => {
    app = await slackTestApp(CONFIG);
    const before = app.fake.calls.length;
    const general = app.fake.workspace.channelByName('general')!;
    const sent = await app.send.command('declare', { user: PEOPLE.carol, channel: general.id });
    await app.fake.waitForCall('views.open');
    const caused: ApiCall[] = app.fake.calls.slice(before);
    expect(caused.map((c) => c.method)).toEqual(['views.open']);
    expect(caused[0]!.at).toBeGreaterThan(sent.respondedAt);
  });
});

describe('page DM buttons', () => {
  async function pagedAlice(): Promise<{ channel: string; ts: string; escalateValue: string }> {
    const general = app.fake.workspace.channelByName('general')!;
    const sent = await app.send.command('declare Search down --sev P1', { user: PEOPLE.carol, channel: general.id });
    await app.fake.waitForResponse(sent.responseUrl);
    await app.settle();
    const [dm] = dmsTo(app.fake, PEOPLE.alice);
    // The Escalate button carries the step it escalates from (a forged bare number is refused).
    const escalateValue = buttonsOf(dm!).find((b) => b.actionId === 'incident_escalate')?.value ?? '';
    return { channel: app.fake.workspace.dmWith(PEOPLE.alice).id, ts: tsOf(dm!), escalateValue };
  }

  it('Acknowledge by the paged person stops the escalation; by anyone else it changes nothing', async () => {
    app = await slackTestApp(CONFIG);
    const page = await pagedAlice();
    const stranger = await app.send.press({ user: PEOPLE.erin, actionId: 'incident_ack', value: '1', channel: page.channel, messageTs: page.ts });
    expect((await app.fake.waitForResponse(stranger.responseUrl)).body.text).toMatch(/^Only people paged for INC-1 can acknowledge it; waiting on: <@UALICE>\./);
    const pressed = await app.send.press({ user: PEOPLE.alice, actionId: 'incident_ack', value: '1', channel: page.channel, messageTs: page.ts });
    expect([stranger.status, pressed.status]).toEqual([200, 200]);
    const answer = await app.fake.waitForResponse(pressed.responseUrl);
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: 'Acknowledged INC-1. Escalation stopped.' });
    await app.settle();
    expect((await app.events()).filter((e) => e.type === 'acknowledged').map((e) => e.actor.id)).toEqual([PEOPLE.alice]);
    expect(await app.scheduler.pendingSteps(app.workspace, 1)).toEqual([]);
  });

  it('Escalate pages the next tier at once', async () => {
    app = await slackTestApp(CONFIG);
    const page = await pagedAlice();
    const pressed = await app.send.press({ user: PEOPLE.alice, actionId: 'incident_escalate', value: page.escalateValue, channel: page.channel, messageTs: page.ts });
    expect((await app.fake.waitForResponse(pressed.responseUrl)).body.text).toMatch(/INC-1/);
    await app.settle();
    expect(dmsTo(app.fake, PEOPLE.dave)).toHaveLength(1);
  });
});
