import { afterEach, describe, expect, it } from 'vitest';
import type { HttpServer } from '../../src/http/server.js';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';
import { dmsTo, shownText } from '../support/slack-views.js';
import { Browserless, csrfOf, linkIn, serveDashboard } from '../support/web.js';

/**
 * `/incident web` on Slack, through the real Bolt app against the fake Slack API: the answer in
 * the channel is only for the person and holds no link; the link comes by DM, signs that Slack
 * identity in once, and the dashboard shows that workspace's incidents.
 */

let app: SlackTestApp;
let http: HttpServer;
afterEach(async () => {
  await http?.close();
  await app?.close();
});

describe('/incident web on Slack', () => {
  it('DMs carol a one-time link that signs her in as her Slack identity', async () => {
    app = await slackTestApp();
    http = await serveDashboard(app);
    const general = app.fake.workspace.channelByName('general')!;
    const declared = await app.send.command('declare Checkout 502s --sev P2', { user: PEOPLE.carol, channel: general.id });
    await app.fake.waitForResponse(declared.responseUrl);

    const sent = await app.send.command('web', { user: PEOPLE.carol, channel: general.id });
    expect(sent.status).toBe(200);
    const answer = await app.fake.waitForResponse(sent.responseUrl);
    expect(answer.body.response_type).toBe('ephemeral');
    expect(String(answer.body.text)).toMatch(/direct message/);
    expect(String(answer.body.text)).not.toContain('/signin/');
    const dm = await app.fake.waitFor(() => dmsTo(app.fake, PEOPLE.carol).find((c) => shownText(c).includes('/signin/')), "carol's sign-in DM");
    const link = linkIn([shownText(dm)]);
    const path = new URL(link).pathname;

    const b = new Browserless(http.url);
    const confirm = await b.get(path);
    expect(confirm.status).toBe(200);
    expect(confirm.body).toMatch(/Carol Example|carol/);
    expect((await b.post(path, { _csrf: csrfOf(confirm.body) })).status).toBe(303);
    const table = await b.get('/incidents');
    expect(table.status).toBe(200);
    expect(table.body).toContain('Checkout 502s');
    // Used: from another browser, nothing.
    expect((await new Browserless(http.url).get(path)).status).toBe(410);
  });
});
