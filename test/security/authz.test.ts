import { afterEach, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../support/app.js';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';

/**
 * Issue 9, findings 1, 2 and 4: who may redirect paging, stop it, or change an incident. Each
 * refusal must say who may, and write nothing; every test here failed on main before the
 * authorization model (src/core/authz.ts) existed.
 */

const MIN = 60_000;
const CONFIG = {
  admins: ['root'],
  rotations: [
    { id: 'backend', timeZone: 'UTC', managers: ['lead'], layers: [{ members: ['alice', 'bob'], shift: '1w', handoff: '09:00', start: '2025-12-22' }] },
  ],
  policies: [{ id: 'default', tiers: [{ targets: [{ rotation: 'backend' }], delay: '5m' }, { targets: [{ user: 'dave' }], delay: '10m' }] }],
  defaultPolicy: 'default',
};

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const text = (lines: string[]) => lines.join('\n');

async function as(a: TestApp, user: string, line: string): Promise<string> {
  await a.type(`/as @${user}`);
  return text(await a.type(line));
}

async function declared(): Promise<TestApp> {
  const a = await testApp(CONFIG);
  await as(a, 'carol', '/incident declare DB down --sev P1');
  return a;
}

describe('covers (finding 1)', () => {
  it('refuses a bystander redirecting a rotation for 90 days, and stores nothing', async () => {
    app = await testApp(CONFIG);
    const out = await as(app, 'mallory', '/incident cover @ghost 90d --rotation backend');
    expect(out).toContain('A cover lasts at most 7d.');
    const short = await as(app, 'mallory', '/incident cover @ghost 2d --rotation backend');
    expect(short).toContain('Only members of rotation backend or its managers (@lead) can set covers on it.');
    expect(await app.deps.oncall.overrides('local', app.clock.now())).toEqual({});
  });

  it('lets members cover for each other, not hand the rotation to an outsider; managers and admins may', async () => {
    app = await testApp(CONFIG);
    expect(await as(app, 'alice', '/incident cover @bob 1d --rotation backend')).toMatch(/@bob covers `backend` until/);
    expect(await as(app, 'alice', '/incident cover @ghost 1d --rotation backend')).toContain('@ghost is not on rotation backend');
    expect(await as(app, 'lead', '/incident cover @frank 1d --rotation backend')).toMatch(/@frank covers `backend` until/);
    expect(await as(app, 'root', '/incident cover @gina 3d --rotation backend')).toMatch(/@gina covers `backend` until/);
    const covers = (await app.deps.oncall.overrides('local', app.clock.now())).backend ?? [];
    expect(covers.map((c) => c.user).sort()).toEqual(['bob', 'frank', 'gina']);
  });

  it('caps the covers one rotation keeps', async () => {
    app = await testApp({ ...CONFIG, limits: { coversPerRotation: 3 } });
    for (const [who, length] of [['bob', '1h'], ['alice', '1h'], ['bob', '2h']]) {
      expect(await as(app, 'alice', `/incident cover @${who} ${length} --rotation backend`)).toMatch(/covers `backend` until/);
    }
    expect(await as(app, 'alice', '/incident cover @bob 3h --rotation backend')).toContain('Rotation backend already has 3 covers');
    expect((await app.deps.oncall.overrides('local', app.clock.now())).backend).toHaveLength(3);
  });
});

describe('covers on Slack need a real person (finding 1)', () => {
  let slack: SlackTestApp | undefined;
  afterEach(async () => {
    await slack?.close();
    slack = undefined;
  });

  it('refuses a made-up user id, even from an admin', async () => {
    slack = await slackTestApp({ ...CONFIG, admins: [PEOPLE.carol], rotations: [{ ...CONFIG.rotations[0], layers: [{ members: [PEOPLE.alice], shift: '1w', handoff: '09:00', start: '2025-12-22' }] }] });
    const general = slack.fake.workspace.channelByName('general')!.id;
    const sent = await slack.send.command('cover <@UGHOST00> 1d --rotation backend', { user: PEOPLE.carol, channel: general });
    const answer = await slack.fake.waitForResponse(sent.responseUrl);
    expect(String(answer.body.text)).toContain('I cannot find <@UGHOST00> in this workspace.');
    expect(await slack.deps.oncall.overrides(slack.workspace, slack.clock.now())).toEqual({});
  });
});

describe('acknowledging (finding 2)', () => {
  it('a bystander who pages themselves and acks does not stop the policy or take the credit', async () => {
    app = await declared();
    expect(await as(app, 'mallory', '/incident page @mallory')).toContain('Paging @mallory.');
    const acked = await as(app, 'mallory', '/incident ack');
    expect(acked).toContain('Acknowledged your page for INC-1. The escalation policy keeps paging');
    const tier2 = text(await app.advance(5 * MIN));
    expect(tier2).toMatch(/\[DM @dave · m\d+\] bot:\n\s+📟 You are paged/);
    const inc = await app.deps.store.get({ workspace: 'local', number: 1 });
    expect(inc?.escalation?.phase).toBe('paging');
    expect(inc?.escalation?.acknowledgedBy).toBeUndefined();
  });
});

describe('acknowledging a page from a bystander (review)', () => {
  it('does not stop the policy: only pages from the policy, the commander, the declarer or an admin do', async () => {
    app = await declared();
    await as(app, 'mallory', '/incident page @bob please press Acknowledge to confirm');
    expect(await as(app, 'bob', '/incident ack')).toContain('Acknowledged your page for INC-1. The escalation policy keeps paging');
    expect((await app.deps.store.get({ workspace: 'local', number: 1 }))?.escalation?.phase).toBe('paging');
    // The commander asking someone by name is different: their answer acknowledges the incident.
    await as(app, 'carol', '/incident page @erin take a look');
    expect(await as(app, 'erin', '/incident ack')).toContain('Acknowledged INC-1. Escalation stopped.');
    expect((await app.deps.store.get({ workspace: 'local', number: 1 }))?.escalation?.phase).toBe('acknowledged');
  });
});

describe('changing an incident (finding 4)', () => {
  const refused = [
    ['/incident sev P4', 'change its severity'],
    ['/incident resolve nothing to see', 'resolve it'],
    ['/incident cancel', 'cancel it'],
    ['/incident role commander @mallory', 'hand its roles'],
  ] as const;

  it('refuses the commander-only changes to anyone else, says who may, and writes nothing', async () => {
    app = await declared();
    const before = (await app.deps.store.events({ workspace: 'local', number: 1 })).length;
    for (const [line, what] of refused) {
      expect(await as(app, 'mallory', line)).toContain(`Only the commander or the declarer of INC-1 (@carol) or an admin can ${what}.`);
    }
    expect(await app.deps.store.events({ workspace: 'local', number: 1 })).toHaveLength(before);
    // Anyone in the channel may still add to the record.
    expect(await as(app, 'mallory', '/incident note replica lag is 40 s')).not.toContain('Only the commander');
  });

  it('lets the commander, the declarer and admins do them, each recorded with its actor', async () => {
    app = await declared();
    await as(app, 'carol', '/incident role commander @bob');
    expect(await as(app, 'bob', '/incident sev P2')).toContain('Done.');
    expect(await as(app, 'carol', '/incident sev P3')).toContain('Done.');
    expect(await as(app, 'root', '/incident resolve fixed')).toContain('Done.');
    const events = await app.deps.store.events({ workspace: 'local', number: 1 });
    expect(events.filter((e) => e.type === 'severity_changed').map((e) => e.actor.id)).toEqual(['bob', 'carol']);
    expect(events.find((e) => e.type === 'resolved')?.actor.id).toBe('root');
  });
});
