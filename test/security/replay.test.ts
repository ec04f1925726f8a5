import { afterEach, describe, expect, it } from 'vitest';
import { pressButton } from '../../src/app/reactions.js';
import { IDS, PEOPLE as DISCORD_PEOPLE } from '../fakes/fake-discord.js';
import { buttonPayload } from '../fakes/fake-discord-payloads.js';
import { testApp, type TestApp } from '../support/app.js';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';
import { PAGING as DISCORD_PAGING, discordSteps } from '../support/discord-steps.js';
import { PAGING, eventsOf, pageDms, text, until } from '../support/paging.js';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';
import { buttonsOf, dmsTo, tsOf } from '../support/slack-views.js';

/**
 * Issue 9, finding 11: the same signed `/incident declare` sent twice within Slack's 5-minute
 * window declared two incidents, and a replayed Escalate press paged one more tier each time. A
 * signed command or interaction seen before is now acknowledged and not run again, and the
 * Escalate button carries the step it escalates from, so an old press does nothing (and says so).
 */

const STALE = 'INC-1 was already escalated past this page, so this press changed nothing. To page the next tier from where it is now: `/incident escalate INC-1`.';
const ESCALATED = 'Escalating INC-1: the next tier is being paged.';

/** Alice, then Dave, then Erin, 5 minutes apart. */
const THREE_TIERS = {
  policies: [
    {
      id: 'default',
      tiers: [
        { targets: [{ user: PEOPLE.alice }], delay: '5m' },
        { targets: [{ user: PEOPLE.dave }], delay: '5m' },
        { targets: [{ user: PEOPLE.erin }], delay: '5m' },
      ],
    },
  ],
  defaultPolicy: 'default',
};

const count = async (app: { events(n?: number): Promise<{ type: string }[]> }, type: string) => (await app.events()).filter((e) => e.type === type).length;

describe('replayed Slack requests', () => {
  let app: SlackTestApp;
  afterEach(() => app?.close());

  const form = (o: Record<string, string>) => new URLSearchParams({ token: 'legacy', team_id: app.fake.workspace.teamId, command: '/incident', api_app_id: 'A0FAKEAPP', ...o }).toString();

  it('the same signed /incident declare sent twice declares one incident', async () => {
    app = await slackTestApp();
    const general = app.fake.workspace.channelByName('general')!.id;
    const responseUrl = app.fake.responseUrl();
    const body = form({ channel_id: general, user_id: PEOPLE.carol, user_name: 'carol', text: 'declare DB down --sev P1', response_url: responseUrl, trigger_id: app.fake.triggerId() });
    const timestamp = Math.floor(Date.now() / 1000);
    const first = await app.send.send(body, 'application/x-www-form-urlencoded', { timestamp });
    await app.fake.waitForResponse(responseUrl);
    await app.settle();
    const again = await app.send.send(body, 'application/x-www-form-urlencoded', { timestamp });
    await app.settle();
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await app.deps.store.list(app.workspace, { all: true })).toHaveLength(1);
    expect(app.fake.workspace.channelByName('inc-2-db-down')).toBeUndefined();
    expect(app.log.lines.filter((l) => l.msg.includes('replay'))).toHaveLength(1);
  });

  it('a command re-signed with a new timestamp but the same trigger_id (a redelivery) runs once', async () => {
    app = await slackTestApp();
    const general = app.fake.workspace.channelByName('general')!.id;
    const body = form({ channel_id: general, user_id: PEOPLE.carol, user_name: 'carol', text: 'declare DB down', response_url: app.fake.responseUrl(), trigger_id: app.fake.triggerId() });
    const now = Math.floor(Date.now() / 1000);
    await app.send.send(body, 'application/x-www-form-urlencoded', { timestamp: now });
    await app.settle();
    await app.send.send(body, 'application/x-www-form-urlencoded', { timestamp: now + 1 });
    await app.settle();
    expect(await app.deps.store.list(app.workspace, { all: true })).toHaveLength(1);
  });

  it('the same signed declare form submission sent twice declares one incident', async () => {
    app = await slackTestApp();
    const who = { team: { id: app.fake.workspace.teamId, domain: 'fake' }, user: { id: PEOPLE.carol, username: 'carol', name: 'carol', team_id: app.fake.workspace.teamId } };
    await app.send.command('declare', { user: PEOPLE.carol, channel: app.fake.workspace.channelByName('general')!.id });
    const view = (await app.fake.waitForCall('views.open')).params.view as Record<string, unknown>;
    const values = {
      title: { value: { type: 'plain_text_input', value: 'Payments failing' } },
      sev: { value: { type: 'static_select', selected_option: { value: 'P2' } } },
      service: { value: { type: 'static_select', selected_option: null } },
      summary: { value: { type: 'plain_text_input', value: '' } },
      private: { value: { type: 'checkboxes', selected_options: [] } },
    };
    const payload = { type: 'view_submission', ...who, api_app_id: 'A0FAKEAPP', token: 'legacy', trigger_id: app.fake.triggerId(), view: { ...view, id: 'V1', state: { values } } };
    const timestamp = Math.floor(Date.now() / 1000);
    await app.send.interaction(payload, { timestamp });
    await app.settle();
    await app.send.interaction(payload, { timestamp });
    await app.settle();
    expect(await app.deps.store.list(app.workspace, { all: true })).toHaveLength(1);
  });

  it('a replayed Escalate press, or a new press of the same old page, pages one tier only', async () => {
    app = await slackTestApp(THREE_TIERS);
    await app.send.command('declare DB down --sev P1', { user: PEOPLE.carol, channel: app.fake.workspace.channelByName('general')!.id });
    await app.settle();
    const [page] = dmsTo(app.fake, PEOPLE.alice);
    const escalate = buttonsOf(page!).find((b) => b.actionId === 'incident_escalate')!;
    expect(escalate.value).toBe('1.1.0');
    const responseUrl = app.fake.responseUrl();
    const payload = {
      type: 'block_actions',
      team: { id: app.fake.workspace.teamId, domain: 'fake' },
      user: { id: PEOPLE.alice, username: 'alice', name: 'alice', team_id: app.fake.workspace.teamId },
      api_app_id: 'A0FAKEAPP',
      token: 'legacy',
      trigger_id: app.fake.triggerId(),
      container: { type: 'message', message_ts: tsOf(page!), channel_id: app.fake.workspace.dmWith(PEOPLE.alice).id, is_ephemeral: false },
      response_url: responseUrl,
      actions: [{ type: 'button', action_id: 'incident_escalate', block_id: 'actions', value: escalate.value, text: { type: 'plain_text', text: 'Escalate' }, action_ts: '1' }],
    };
    const timestamp = Math.floor(Date.now() / 1000);
    await app.send.interaction(payload, { timestamp });
    expect((await app.fake.waitForResponse(responseUrl)).body.text).toBe(ESCALATED);
    await app.settle();
    expect(dmsTo(app.fake, PEOPLE.dave)).toHaveLength(1);

    // The very same request again: acknowledged, not run.
    const replayed = await app.send.interaction(payload, { timestamp });
    await app.settle();
    expect(replayed.status).toBe(200);
    expect(app.fake.responses.filter((r) => r.url === responseUrl)).toHaveLength(1);

    // A new press of the same old page's button: it says the incident moved on, and pages nobody.
    const pressed = await app.send.press({ user: PEOPLE.alice, actionId: 'incident_escalate', value: escalate.value, channel: payload.container.channel_id, messageTs: tsOf(page!) });
    expect((await app.fake.waitForResponse(pressed.responseUrl)).body.text).toBe(STALE);
    await app.settle();
    expect(dmsTo(app.fake, PEOPLE.erin)).toHaveLength(0);
    expect(await count(app, 'escalated')).toBe(1);

    // Dave's page, made after the escalation, escalates from where the policy is now.
    const [davePage] = dmsTo(app.fake, PEOPLE.dave);
    const daveEscalate = buttonsOf(davePage!).find((b) => b.actionId === 'incident_escalate')!;
    expect(daveEscalate.value).toBe('1.2.1');
    const fromDave = await app.send.press({ user: PEOPLE.dave, actionId: 'incident_escalate', value: daveEscalate.value, channel: app.fake.workspace.dmWith(PEOPLE.dave).id, messageTs: tsOf(davePage!) });
    expect((await app.fake.waitForResponse(fromDave.responseUrl)).body.text).toBe(ESCALATED);
    await app.settle();
    expect(dmsTo(app.fake, PEOPLE.erin)).toHaveLength(1);
  });
});

describe('an old Escalate press in the local workspace', () => {
  let app: TestApp;
  afterEach(() => app?.close());

  it('pressing the same page DM twice escalates once; a button without its step, or pressed by someone not paged, is refused', async () => {
    app = await testApp(PAGING);
    await app.type('/as @carol');
    const [page] = pageDms(text(await app.type('/incident declare DB down --sev P1')), 'alice');
    await app.type('/as @alice');
    expect(text(await app.type(`/press ${page} escalate`))).toContain(ESCALATED);
    expect(text(await app.type(`/press ${page} escalate`))).toContain(STALE);
    expect((await eventsOf(app)).filter((e) => e.type === 'escalated')).toHaveLength(1);
    expect(pageDms(text(app.output), 'manager')).toHaveLength(0);

    // Button values come from the client: a bare number (a forged press, or a DM from before
    // buttons carried their step) and a press by someone never paged change nothing.
    const refused = 'This Escalate button is not one of your pages for INC-1. To escalate, type `/incident escalate INC-1`.';
    expect(await pressButton(app.deps, { workspace: 'local', user: { id: 'alice', name: 'alice' }, action: 'escalate', value: '1' })).toBe(refused);
    expect(await pressButton(app.deps, { workspace: 'local', user: { id: 'erin', name: 'erin' }, action: 'escalate', value: '1.1.1' })).toBe(refused);
    await app.settle();
    expect((await eventsOf(app)).filter((e) => e.type === 'escalated')).toHaveLength(1);
    expect(pageDms(text(app.output), 'manager')).toHaveLength(0);
  });
});

describe('replayed Discord interactions', () => {
  let app: DiscordTestApp;
  afterEach(() => app?.close());

  it('the same interaction delivered twice runs once, and a new press of an old page does nothing', async () => {
    app = await discordTestApp({ ...DISCORD_PAGING, policies: [{ id: 'default', tiers: [...DISCORD_PAGING.policies[0]!.tiers, { targets: [{ user: DISCORD_PEOPLE.erin.id }], delay: '5m' }] }] });
    const { fake } = app;
    const { pages, slash } = discordSteps(app);
    await slash(DISCORD_PEOPLE.carol, IDS.general, 'declare', { title: 'DB down', sev: 'P1' });
    const [page] = await pages(DISCORD_PEOPLE.alice);
    const pressed = fake.press(DISCORD_PEOPLE.alice, page!.id, 'Escalate');
    expect((await fake.answered(pressed)).text).toBe(ESCALATED);
    await pages(DISCORD_PEOPLE.dave);

    // The gateway delivering the same interaction (same id and token) again.
    const customId = page!.components.flatMap((r) => r.components).find((b) => b.label === 'Escalate')!.custom_id!;
    const base = { id: pressed.id, token: pressed.token, applicationId: fake.state.applicationId, user: DISCORD_PEOPLE.alice, channel: fake.state.channel(page!.channel_id) };
    fake.gateway.dispatch('INTERACTION_CREATE', buttonPayload({ ...base, message: page!, customId }));
    // Discord refuses a second answer to one interaction (40060), so the bot's deferral fails and nothing runs.
    await until('the replayed interaction to be turned away', () => app.log.lines.some((l) => l.msg.includes('could not be deferred; not run')));
    const again = fake.press(DISCORD_PEOPLE.alice, page!.id, 'Escalate');
    expect((await fake.answered(again)).text).toBe(STALE);
    await app.settle();
    expect(fake.dmsTo(DISCORD_PEOPLE.erin)).toHaveLength(0);
    expect((await app.events()).filter((e) => e.type === 'escalated')).toHaveLength(1);
  });
});
