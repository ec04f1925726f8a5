import { afterEach, describe, expect, it } from 'vitest';
import { UPLOAD_URL } from '../fakes/fake-slack.js';
import { PEOPLE, slackTestApp, type SlackTestApp } from '../support/slack-app.js';
import { pngSize } from '../support/png.js';
import { closedIncidents } from '../support/stats-fixture.js';

/**
 * `/incident stats` on Slack: the figures are answered on the command's response_url first
 * (ephemeral), then the chart is uploaded the way Slack takes files (files.getUploadURLExternal,
 * the bytes to the upload URL, files.completeUploadExternal) into the DM of the person who asked
 * (conversations.open), never into the channel the command was typed in, and one more private line
 * says so. The real Bolt WebClient does the upload against FakeSlack, which keeps the bytes. A
 * refused upload leaves the figures and says so in that line instead.
 */

let app: SlackTestApp;
afterEach(() => app?.close());

const SENT = 'The chart was sent to you by direct message.';
const FAILED = 'The chart could not be sent to you by direct message; the figures above are complete.';

async function withIncidents(): Promise<SlackTestApp> {
  app = await slackTestApp();
  await closedIncidents(app.deps.stats!, app.workspace, app.clock.now());
  return app;
}

/** The figures and the one line after them, on the command's response_url. */
async function answers(responseUrl: string) {
  return app.fake.waitFor(() => {
    const got = app.fake.responses.filter((r) => r.url === responseUrl);
    return got.length === 2 && got;
  }, 'the figures and the note', 15_000);
}

describe('Slack: the /incident stats chart', () => {
  it('answers the figures, then sends a PNG chart to the asker by DM, not into the channel', async () => {
    await withIncidents();
    const general = app.fake.workspace.channelByName('general')!;
    const sent = await app.send.command('stats', { user: PEOPLE.alice, channel: general.id });
    expect(sent.status).toBe(200);
    const [answer, note] = await answers(sent.responseUrl);
    await app.settle();
    const dm = app.fake.workspace.dmWith(PEOPLE.alice);
    const [file] = app.fake.workspace.filesIn(dm.id);

    expect(answer!.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('MTTR') });
    expect(note!.body).toMatchObject({ response_type: 'ephemeral', text: SENT });
    expect(file).toMatchObject({ channel: dm.id, title: 'Incidents and MTTR per week, last 30 days', name: expect.stringMatching(/^incident-stats-\d{4}-\d{2}-\d{2}\.png$/) });
    expect(pngSize(file!.data)).toEqual({ width: 1000, height: 684 });
    expect(app.fake.workspace.filesIn(general.id)).toEqual([]);
    // The three steps, in order, after the text answer: the figures never waited for the upload.
    const [url, complete] = [app.fake.callsTo('files.getUploadURLExternal')[0]!, app.fake.callsTo('files.completeUploadExternal')[0]!];
    expect(url.params).toMatchObject({ filename: file!.name, length: String(file!.data.length) });
    expect(complete.params).toMatchObject({ channel_id: dm.id });
    expect(answer!.at).toBeLessThan(url.at);
  });

  it('joins no channel: typed in a public channel the bot is not in, the chart still goes by DM', async () => {
    await withIncidents();
    const incidents = app.fake.workspace.channelByName('incidents')!;
    expect(incidents.members.has(app.fake.workspace.botUserId)).toBe(false);
    const sent = await app.send.command('stats --since 90d', { user: PEOPLE.bob, channel: incidents.id });
    const [answer, note] = await answers(sent.responseUrl);
    await app.settle();

    expect(answer!.body.text).toContain('MTTR');
    expect(note!.body.text).toBe(SENT);
    expect(pngSize(app.fake.workspace.filesIn(app.fake.workspace.dmWith(PEOPLE.bob).id)[0]!.data).width).toBe(1000);
    expect(app.fake.callsTo('conversations.join')).toEqual([]);
    expect(incidents.members.has(app.fake.workspace.botUserId)).toBe(false);
    expect(app.fake.workspace.filesIn(incidents.id)).toEqual([]);
    expect(app.fake.callsTo('files.completeUploadExternal').map((c) => c.answer?.ok)).toEqual([true]);
  });

  it('names the --service, --sev and --since filters in the chart title', async () => {
    await withIncidents();
    const general = app.fake.workspace.channelByName('general')!;
    const sent = await app.send.command('stats --since 90d --service api --sev P1', { user: PEOPLE.alice, channel: general.id });
    await answers(sent.responseUrl);
    await app.settle();

    const [file] = app.fake.workspace.filesIn(app.fake.workspace.dmWith(PEOPLE.alice).id);
    expect(file).toMatchObject({ title: 'Incidents and MTTR per week, last 90 days, service api, severity P1', alt: 'Incidents and MTTR per week, last 90 days, service api, severity P1' });
  });

  it('keeps the figures when Slack refuses the upload (no files:write), says so in one line and logs the fix', async () => {
    await withIncidents();
    const general = app.fake.workspace.channelByName('general')!;
    app.fake.fail('files.getUploadURLExternal', { error: 'missing_scope', needed: 'files:write' });
    const sent = await app.send.command('stats', { user: PEOPLE.alice, channel: general.id });
    const got = await answers(sent.responseUrl);
    await app.settle();

    expect(got[0]!.body.text).toContain('MTTR');
    expect(got[1]!.body).toMatchObject({ response_type: 'ephemeral', text: FAILED });
    expect(app.fake.workspace.filesIn(app.fake.workspace.dmWith(PEOPLE.alice).id)).toEqual([]);
    expect(app.log.lines).toContainEqual(expect.objectContaining({ level: 'error', msg: 'slack call failed: needs a fix', data: expect.objectContaining({ method: 'files.uploadV2', fix: expect.stringContaining('files:write') }) }));
  });

  it('keeps the figures when the upload URL fails', async () => {
    await withIncidents();
    const general = app.fake.workspace.channelByName('general')!;
    app.fake.fail(UPLOAD_URL, { status: 500 });
    const sent = await app.send.command('stats', { user: PEOPLE.alice, channel: general.id });
    const got = await answers(sent.responseUrl);

    expect(got.map((a) => a.body.text)).toEqual([expect.stringContaining('MTTR'), FAILED]);
    expect(app.fake.callsTo('files.completeUploadExternal')).toEqual([]);
    expect(app.fake.workspace.filesIn(app.fake.workspace.dmWith(PEOPLE.alice).id)).toEqual([]);
  });
});
