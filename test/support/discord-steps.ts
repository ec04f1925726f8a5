import type { IncidentEvent } from '../../src/core/events.js';
import { PEOPLE } from '../fakes/fake-discord.js';
import type { FakeMessage, FakeUser } from '../fakes/fake-discord-payloads.js';
import type { DiscordTestApp } from './discord-app.js';

/**
 * What people do and see on the fake Discord, as steps for the end-to-end tests. Every wait is
 * for something a person would notice (a DM, a line in a channel, an answer), never a sleep.
 */

/** Alice and Bob rotate weekly (Alice on call in the tests' week); Dave is tier 2, 5 min later. */
export const PAGING = {
  rotations: [{ id: 'backend', timeZone: 'UTC', layers: [{ members: [PEOPLE.alice.id, PEOPLE.bob.id], shift: '1w', handoff: '09:00', start: '2025-12-22' }] }],
  policies: [
    {
      id: 'default',
      tiers: [
        { targets: [{ rotation: 'backend' }], delay: '5m' },
        { targets: [{ user: PEOPLE.dave.id }], delay: '10m' },
      ],
    },
  ],
  defaultPolicy: 'default',
};

export type OptionValues = Record<string, string | boolean | FakeUser>;

export function discordSteps(app: DiscordTestApp) {
  const { fake } = app;
  const pagesTo = (user: FakeUser): FakeMessage[] => fake.dmsTo(user).filter((m) => m.content.includes('You are paged'));
  return {
    pagesTo,
    /** Waits until `user` has at least `count` page DMs and returns them. */
    pages(user: FakeUser, count = 1): Promise<FakeMessage[]> {
      return fake.until(() => (pagesTo(user).length >= count ? pagesTo(user) : null), 5_000, `${count} page(s) to ${user.username}`);
    },
    channelSays(channelId: string, text: string, timeoutMs = 5_000): Promise<string> {
      return fake.until(() => fake.textsIn(channelId).find((t) => t.includes(text)), timeoutMs, `"${text}" in channel ${channelId}`);
    },
    dmSays(user: FakeUser, text: string): Promise<FakeMessage> {
      return fake.until(() => fake.dmsTo(user).find((m) => m.content.includes(text)), 5_000, `a DM to ${user.username} saying "${text}"`);
    },
    /** Uses `/incident <subcommand>` and waits for the answer and for what it queued. */
    async slash(user: FakeUser, channelId: string, subcommand: string, options: OptionValues = {}) {
      const answer = await fake.answered(fake.slash(user, channelId, subcommand, options));
      await app.settle();
      return answer;
    },
    /** Declares INC-n from #general and returns its channel id. */
    async declare(user: FakeUser, title: string, options: OptionValues = {}): Promise<string> {
      const answer = await fake.answered(fake.slash(user, fake.channelNamed('general') ?? '', 'declare', { title, sev: 'P1', ...options }));
      await app.settle();
      const id = /<#(\d+)>/.exec(answer.text)?.[1];
      if (!id) throw new Error(`declare did not answer with a channel: ${answer.text}`);
      return id;
    },
    /** Waits until the incident's timeline holds at least these events (types, with repeats). */
    async timelineHas(types: IncidentEvent['type'][], number = 1): Promise<IncidentEvent[]> {
      const enough = (list: IncidentEvent[]) => types.every((t) => list.filter((e) => e.type === t).length >= types.filter((x) => x === t).length);
      for (let i = 0; i < 200; i++) {
        const events = await app.events(number);
        if (enough(events)) return events;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`timed out waiting for timeline events ${types.join(', ')}; have ${(await app.events(number)).map((e) => e.type).join(', ')}`);
    },
  };
}
