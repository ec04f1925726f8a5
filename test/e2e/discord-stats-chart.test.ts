import { afterEach, describe, expect, it } from 'vitest';
import { IDS, PEOPLE } from '../fakes/fake-discord.js';
import type { FakeAttachment } from '../fakes/fake-discord-payloads.js';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';
import { pngSize } from '../support/png.js';
import { closedIncidents } from '../support/stats-fixture.js';

/**
 * `/postmortem stats` on Discord (`/incident stats` elsewhere): the deferred answer is edited into
 * the figures first (ephemeral), then the chart goes to the person who asked in their DM channel
 * as a message attachment (multipart/form-data, `payload_json` plus `files[0]`), never into the
 * channel the command was used in, and one private follow-up line says so. The real discord.js
 * REST client sends it to FakeDiscord, which keeps the bytes. When the DM is refused (50007) the
 * figures stay and that line says the chart could not be sent.
 */

let app: DiscordTestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const SENT = 'The chart was sent to you by direct message.';
const FAILED = 'The chart could not be sent to you by direct message; the figures above are complete.';

function attachmentsIn(a: DiscordTestApp, channelId: string): FakeAttachment[] {
  return a.fake.state.messagesIn(channelId).flatMap((m) => m.attachments ?? []);
}

describe('Discord: the /postmortem stats chart', () => {
  it('answers the figures, then sends a PNG chart to the asker by DM, not into the channel', async () => {
    const a = (app = await discordTestApp());
    await closedIncidents(a.deps.stats!, a.workspace, a.clock.now());
    const used = a.fake.slash(PEOPLE.alice, IDS.general, 'postmortem stats', { since: '90d', service: 'api', sev: 'P1' });
    const answer = await a.fake.answered(used);
    await a.fake.until(() => used.followups.length > 0, 5_000, 'the note after the figures');
    await a.settle();

    expect(answer).toMatchObject({ text: expect.stringContaining('MTTR'), ephemeral: true });
    expect(used.followups.map((m) => [m.content, (m.flags & 64) === 64])).toEqual([[SENT, true]]);
    expect(attachmentsIn(a, IDS.general)).toEqual([]);
    const [message] = a.fake.dmsTo(PEOPLE.alice).filter((m) => m.attachments?.length);
    const chart = message?.attachments?.[0];
    const title = 'Incidents and MTTR per week, last 90 days, service api, severity P1';
    expect(chart).toMatchObject({ filename: expect.stringMatching(/^incident-stats-\d{4}-\d{2}-\d{2}\.png$/), content_type: 'image/png', description: title });
    expect(pngSize(chart!.data)).toEqual({ width: 1000, height: 684 });
    expect(chart!.size).toBe(chart!.data.length);
    // The DM that carries it names the chart and its filters, and it was sent after the figures were shown.
    expect(message?.content).toBe(title);
    const upload = a.fake.rest.requests.find((r) => r.method === 'POST' && r.path === `/channels/${message!.channel_id}/messages` && r.files?.length);
    expect(upload?.files?.map((f) => f.key)).toEqual(['files[0]']);
    expect(used.webhookCalls[0]!.at).toBeLessThan(upload!.at);
  });

  it('keeps the figures when the DM is refused, and says so in one private line', async () => {
    const a = (app = await discordTestApp());
    await closedIncidents(a.deps.stats!, a.workspace, a.clock.now());
    a.fake.fail({ method: 'POST', path: /^\/channels\/\d+\/messages$/, status: 403, code: 50007, times: 1, when: (r) => (r.files?.length ?? 0) > 0 });
    const used = a.fake.slash(PEOPLE.alice, IDS.general, 'postmortem stats');
    await a.fake.until(() => used.followups.length > 0, 5_000, 'the note after the figures');
    await a.settle();

    expect(used.original?.content).toContain('MTTR');
    expect(used.followups.map((m) => [m.content, (m.flags & 64) === 64])).toEqual([[FAILED, true]]);
    expect(attachmentsIn(a, IDS.general)).toEqual([]);
    expect(a.fake.dmsTo(PEOPLE.alice).flatMap((m) => m.attachments ?? [])).toEqual([]);
    expect(a.log.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'stats chart not attached', data: expect.objectContaining({ err: expect.stringContaining('Cannot send messages to this user') }) }));
  });
});
