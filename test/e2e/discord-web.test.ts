import { afterEach, describe, expect, it } from 'vitest';
import type { HttpServer } from '../../src/http/server.js';
import { PEOPLE } from '../fakes/fake-discord.js';
import { discordTestApp, type DiscordTestApp } from '../support/discord-app.js';
import { Browserless, csrfOf, linkIn, serveDashboard } from '../support/web.js';

/**
 * `/incident web` on Discord, through the real discord.js client against the fake Discord API
 * and gateway: an ephemeral answer without the link, the link by DM, one sign-in as that member.
 */

let app: DiscordTestApp;
let http: HttpServer;
afterEach(async () => {
  await http?.close();
  await app?.close();
});

describe('/incident web on Discord', () => {
  it('DMs carol a one-time link that signs her in as her Discord identity', async () => {
    app = await discordTestApp();
    http = await serveDashboard(app);
    // As src/main.ts does it: the dashboard first, then the adapter (which takes a copy of deps).
    await app.restart();
    const general = app.fake.channelNamed('general')!;
    await app.fake.answered(app.fake.slash(PEOPLE.carol, general, 'declare', { title: 'Gateway flapping', sev: 'P2' }));

    const answer = await app.fake.answered(app.fake.slash(PEOPLE.carol, general, 'web'));
    expect(answer.ephemeral).toBe(true);
    expect(answer.text).toMatch(/direct message/);
    expect(answer.text).not.toContain('/signin/');
    const dm = await app.fake.until(() => app.fake.dmsTo(PEOPLE.carol).find((m) => m.content.includes('/signin/')), 5_000, "carol's sign-in DM");
    const path = new URL(linkIn([dm.content])).pathname;

    const b = new Browserless(http.url);
    const confirm = await b.get(path);
    expect(confirm.status).toBe(200);
    expect((await b.post(path, { _csrf: csrfOf(confirm.body) })).status).toBe(303);
    const table = await b.get('/incidents');
    expect(table.status).toBe(200);
    expect(table.body).toContain('Gateway flapping');
    expect((await new Browserless(http.url).get(path)).status).toBe(410);
  });
});
