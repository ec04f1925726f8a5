import { plainTimes } from '../../src/core/chat-time.js';
import { describe, expect, it } from 'vitest';
import { parseConfig, type AppConfig } from '../../src/config.js';
import { coveredServices, handoffAt, handoffMessages, handoffsToArm, nextHandoff, nextHandoffs, type Handoff } from '../../src/core/handoff.js';
import { translator } from '../../src/core/i18n/index.js';
import { declareEvents } from '../../src/core/lifecycle.js';
import type { Actor, Incident } from '../../src/core/model.js';
import { project } from '../../src/core/projection.js';
import type { Rotation } from '../../src/core/rotation-schema.js';

const t = translator('en');
const at = (iso: string) => new Date(iso);
const iso = (d: Date | undefined) => d?.toISOString();

/** Backend: weekly alice/bob from Monday 09:00 KST; dave on weekday business hours above them. Web: business hours only. */
const CONFIG = {
  admins: ['boss'],
  services: [{ id: 'api' }, { id: 'web' }],
  rotations: [
    {
      id: 'backend',
      name: 'Backend',
      timeZone: 'Asia/Seoul',
      layers: [
        { members: ['alice', 'bob'], shift: '1w', handoff: '09:00', start: '2026-01-05' },
        { members: ['dave'], shift: '1w', handoff: '09:00', start: '2026-01-05', days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: '09:00-18:00' },
      ],
    },
    { id: 'web', timeZone: 'UTC', layers: [{ members: ['wendy'], shift: '1d', handoff: '09:00', start: '2026-01-05', hours: '09:00-18:00' }] },
    { id: 'solo', timeZone: 'UTC', layers: [{ members: ['sam'], shift: '1d', handoff: '09:00', start: '2026-01-05' }] },
  ],
  policies: [
    { id: 'backend', tiers: [{ targets: [{ rotation: 'backend' }] }] },
    { id: 'web', tiers: [{ targets: [{ rotation: 'web' }] }] },
  ],
  routes: [{ service: 'web', policy: 'web' }],
  defaultPolicy: 'backend',
};

function config(doc: object = CONFIG): AppConfig {
  const parsed = parseConfig(doc);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.config;
}
const cfg = config();
const rotation = (id: string): Rotation => cfg.rotations.find((r) => r.id === id) as Rotation;

const carol: Actor = { id: 'carol', name: 'Carol' };
let number = 0;
function incident(o: { title?: string; severity?: string; service?: string; private?: boolean; channelId?: string; by?: Actor } = {}): Incident {
  number += 1;
  const input = { title: o.title ?? `Incident ${number}`, summary: '', severity: o.severity ?? 'P2', private: o.private ?? false, ...(o.service ? { service: o.service } : {}) };
  const inc = project(null, declareEvents(input, o.by ?? carol, at('2026-01-07T00:00:00Z')), { workspace: 'T1', number });
  return o.channelId ? { ...inc, channelId: o.channelId } : inc;
}

const ctx = (incidents: Incident[], r = rotation('backend')) => ({ rotation: r, incidents, paging: cfg, admins: cfg.admins });

describe('next shift boundaries', () => {
  it('gives each rotation its next boundary and who is on call just before and at it, layers included', () => {
    // Wednesday 12:00 KST: dave's business hours; alice's week under him.
    const now = at('2026-01-07T03:00:00Z');
    const next = nextHandoffs(cfg.rotations, now);
    expect(next.map((h) => [h.rotationId, iso(h.at), h.outgoing, h.incoming, iso(h.until)])).toEqual([
      ['backend', '2026-01-07T09:00:00.000Z', 'dave', 'alice', '2026-01-08T00:00:00.000Z'],
      ['web', '2026-01-07T09:00:00.000Z', null, 'wendy', '2026-01-07T18:00:00.000Z'],
    ]);
    // solo has one member on round the clock: no boundary ever, so it is left out.
    expect(nextHandoff(rotation('solo'), now)).toBeNull();
  });

  it('an override is a boundary where it starts and where it ends', () => {
    const now = at('2026-01-07T03:00:00Z');
    const cover = [{ user: 'erin', from: '2026-01-07T05:00:00.000Z', to: '2026-01-07T07:00:00.000Z' }];
    const first = nextHandoff(rotation('backend'), now, cover);
    expect(first).toMatchObject({ at: at('2026-01-07T05:00:00Z'), outgoing: 'dave', incoming: 'erin', until: at('2026-01-07T07:00:00Z') });
    const second = nextHandoff(rotation('backend'), first?.at ?? now, cover);
    expect(second).toMatchObject({ at: at('2026-01-07T07:00:00Z'), outgoing: 'erin', incoming: 'dave', until: at('2026-01-07T09:00:00Z') });
  });

  it('is no handoff when the same person stays on call', () => {
    // Sam hands over to sam every day at 09:00.
    expect(handoffAt(rotation('solo'), at('2026-01-08T09:00:00Z'))).toBeNull();
    // Dave covers himself from 05:00: the person on call does not change then.
    const cover = [{ user: 'dave', from: '2026-01-07T05:00:00.000Z', to: '2026-01-07T10:00:00.000Z' }];
    expect(handoffAt(rotation('backend'), at('2026-01-07T05:00:00Z'), cover)).toBeNull();
    // ... and his cover past 18:00 KST moves the handoff to alice to its end.
    expect(nextHandoff(rotation('backend'), at('2026-01-07T03:00:00Z'), cover)).toMatchObject({ at: at('2026-01-07T10:00:00Z'), outgoing: 'dave', incoming: 'alice' });
    const same: Handoff = { rotationId: 'solo', at: at('2026-01-08T09:00:00Z'), outgoing: 'sam', incoming: 'sam', until: at('2026-01-09T09:00:00Z') };
    expect(handoffMessages(t, same, ctx([incident()], rotation('solo')))).toEqual([]);
  });

  it('arms the next boundary, and the one that started the current stretch only while it is recent', () => {
    const r = rotation('backend');
    // A cover that starts now is a handoff now (to be sent) and one when it ends.
    const now = at('2026-01-07T03:00:00Z');
    const cover = [{ user: 'erin', from: now.toISOString(), to: '2026-01-07T04:00:00.000Z' }];
    expect(handoffsToArm(r, now, cover).map(iso)).toEqual(['2026-01-07T03:00:00.000Z', '2026-01-07T04:00:00.000Z']);
    // Three hours into dave's stretch: still caught up (a restart right after the boundary) ...
    expect(handoffsToArm(r, now).map(iso)).toEqual(['2026-01-07T00:00:00.000Z', '2026-01-07T09:00:00.000Z']);
    // ... but not a stretch that began longer ago than the catch-up window.
    expect(handoffsToArm(r, now, [], 2 * 3_600_000).map(iso)).toEqual(['2026-01-07T09:00:00.000Z']);
    expect(handoffsToArm(rotation('solo'), now)).toEqual([]);
  });
});

describe('handoff DMs', () => {
  const boundary = (outgoing: string | null, incoming: string | null): Handoff => ({
    rotationId: 'backend',
    at: at('2026-01-07T09:00:00Z'),
    outgoing,
    incoming,
    until: at('2026-01-08T00:00:00Z'),
  });

  it('tells the incoming person the open incidents of the rotation with their channels, and the outgoing person who took over', () => {
    const api = incident({ title: 'API errors', severity: 'P1', service: 'api', channelId: 'C42' });
    const plain = incident({ title: 'Slow logins' });
    const web = incident({ title: 'Web is down', service: 'web', channelId: 'C43' });
    const resolved = { ...incident({ title: 'Old one' }), status: 'resolved' as const };
    const [toAlice, toDave] = handoffMessages(t, boundary('dave', 'alice'), ctx([api, plain, web, resolved]));
    expect(toAlice?.userId).toBe('alice');
    expect(plainTimes(toAlice?.message.text ?? '')).toBe(
      [
        ':arrows_counterclockwise: You are on call for *Backend* from 2026-01-07 18:00 until 2026-01-08 09:00, taking over from <@dave>.',
        'Services it covers: api',
        'Open incidents (2):',
        `• ${api.ref} · P1 · API errors · <#C42>`,
        `• ${plain.ref} · P2 · Slow logins`,
      ].join('\n'),
    );
    expect({ ...toDave, message: { text: plainTimes(toDave?.message.text ?? '') } }).toEqual({ userId: 'dave', role: 'outgoing', message: { text: 'Your shift on *Backend* ended at 2026-01-07 18:00: <@alice> took over, until 2026-01-08 09:00.' } });
    // The web rotation answers for the web incident only.
    const [toWendy] = handoffMessages(t, { ...boundary('walt', 'wendy'), rotationId: 'web' }, ctx([api, plain, web], rotation('web')));
    expect(toWendy?.message.text).toContain(`• ${web.ref} · P2 · Web is down · <#C43>`);
    expect(toWendy?.message.text).not.toContain(api.ref);
    expect(coveredServices(cfg, 'web')).toEqual(['web']);
  });

  it('lists a private incident only to someone who may see it', () => {
    const secret = incident({ title: 'Leaked keys', private: true });
    const mine = incident({ title: 'My private one', private: true, by: { id: 'alice', name: 'Alice' } });
    const open = incident({ title: 'Public one' });
    const text = (incoming: string) => handoffMessages(t, boundary('dave', incoming), ctx([secret, mine, open]))[0]?.message.text ?? '';
    expect(text('alice')).toContain('Open incidents (2):');
    expect(text('alice')).toContain('My private one');
    expect(text('alice')).not.toContain('Leaked keys');
    expect(text('alice')).not.toContain(secret.ref);
    expect(text('bob')).toContain('Open incidents (1):');
    expect(text('bob')).not.toMatch(/private one|Leaked/);
    // Admins see everything.
    expect(text('boss')).toContain('Open incidents (3):');
  });

  it('never turns a title into a mention, a channel link or a broadcast', () => {
    const hostile = incident({ title: 'DB <@U999> <#C666> <!here> @everyone', channelId: 'C42' });
    const [toAlice] = handoffMessages(t, boundary('dave', 'alice'), ctx([hostile]));
    const text = toAlice?.message.text ?? '';
    expect(text).not.toContain('<@U999>');
    expect(text).not.toContain('<#C666>');
    expect(text).not.toContain('<!here>');
    expect(text).not.toMatch(/@everyone/);
    // The words are still there to read, and the bot's own mention and link still work.
    expect(text.replace(/\u2060/g, '')).toContain('DB <@U999> <#C666> <!here> @everyone');
    expect(text).toContain('<@dave>');
    expect(text).toContain('<#C42>');
  });

  it('nobody on call: the outgoing person hears nobody took over; someone starting after a gap hears it too', () => {
    const web = rotation('web');
    // Wendy's hours end at 18:00 UTC: nobody after her until 09:00.
    const evening = handoffAt(web, at('2026-01-07T18:00:00Z'));
    expect(evening).toMatchObject({ outgoing: 'wendy', incoming: null, until: at('2026-01-08T09:00:00Z') });
    const dms = handoffMessages(t, evening as Handoff, ctx([incident({ service: 'web' })], web));
    expect(dms.map((d) => [d.userId, d.role])).toEqual([['wendy', 'outgoing']]);
    expect(plainTimes(dms[0]?.message.text ?? '')).toBe(
      ':warning: Your shift on *web* ended at 2026-01-07 18:00 and nobody took over: its tier pages nobody until 2026-01-08 09:00. Set a cover with `/incident cover` if someone should be on call.',
    );
    const morning = handoffAt(web, at('2026-01-08T09:00:00Z'));
    expect(morning).toMatchObject({ outgoing: null, incoming: 'wendy' });
    const [fresh, ...rest] = handoffMessages(t, morning as Handoff, ctx([], web));
    expect(rest).toEqual([]);
    expect(plainTimes(fresh?.message.text ?? '')).toBe(
      [':arrows_counterclockwise: You are on call for *web* from 2026-01-08 09:00 until 2026-01-08 18:00; nobody was on call before you.', 'Services it covers: web', 'No open incidents.'].join('\n'),
    );
  });

  it('caps a long list and counts the rest', () => {
    const many = Array.from({ length: 23 }, () => incident());
    const text = handoffMessages(t, boundary('dave', 'alice'), ctx(many))[0]?.message.text ?? '';
    expect(text).toContain('Open incidents (23):');
    expect(text.split('\n').filter((l) => l.startsWith('• '))).toHaveLength(20);
    expect(text).toContain('… and 3 more');
  });

  it('speaks Korean with the ko catalog', () => {
    const [toAlice] = handoffMessages(translator('ko'), boundary('dave', 'alice'), ctx([]));
    expect(toAlice?.message.text).toContain('*Backend* 당번입니다. <@dave>님에게서 넘겨받았습니다.');
  });
});

describe('config', () => {
  it('handoffs are on by default and can be turned off; a wrong value is refused', () => {
    expect(cfg.handoffs).toEqual({ enabled: true });
    expect(config({ ...CONFIG, handoffs: { enabled: false } }).handoffs.enabled).toBe(false);
    const bad = parseConfig({ handoffs: { enabled: 'no' } });
    expect(bad.ok).toBe(false);
    expect(bad.ok ? [] : bad.problems.join()).toMatch(/handoffs\.enabled/);
    expect(parseConfig({ handoffs: { enable: true } }).ok).toBe(false);
  });
});
