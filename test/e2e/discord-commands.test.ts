import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { invocationText, quote } from '../../src/adapters/discord/command-options.js';
import { tokenize } from '../../src/core/args.js';
import { FakeDiscord, IDS, PEOPLE } from '../fakes/fake-discord.js';
import { visibleText } from '../fakes/fake-discord-state.js';
import { discordTestApp, envFor, type DiscordTestApp } from '../support/discord-app.js';
import { PAGING, discordSteps } from '../support/discord-steps.js';

/**
 * `/incident` on Discord: the registered commands, how options become the text the subcommands
 * parse, every subcommand answering as it does on the local workspace, the 3-second rule,
 * channels (private, category, taken names) and the page buttons.
 */

const { alice, bob, carol, dave, erin } = PEOPLE;
const VIEW_CHANNEL = 1n << 10n;

let app: DiscordTestApp | undefined;
let fake: FakeDiscord | undefined;
afterEach(async () => {
  await app?.close();
  await fake?.close();
  app = undefined;
  fake = undefined;
});

function runRegister(env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/adapters/discord/register.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('npm run discord:register', () => {
  it('registers /incident and /postmortem in the guild, every command of commands/ on one of them, with its options', async () => {
    fake = await FakeDiscord.start();
    const env: NodeJS.ProcessEnv = { ...process.env, DISCORD_TOKEN: 'test-token', DISCORD_APPLICATION_ID: IDS.application, DISCORD_GUILD_ID: IDS.guild, DISCORD_API_URL: fake.apiUrl };
    delete env.INCIDENT_CONFIG;
    const run = await runRegister(env);
    expect(run).toMatchObject({ code: 0, out: `Registered /incident with 24 subcommands and /postmortem with 9 subcommands in guild ${IDS.guild}.\n` });
    const registered = (fake.state.commands.get(IDS.guild) ?? []) as { name: string; options: { name: string; options?: { name: string; type: number; required?: boolean; choices?: { value: string }[] }[] }[] }[];
    expect(registered.map((c) => c.name)).toEqual(['incident', 'postmortem']);
    const [command, postmortem] = registered;
    // /incident as before issue 12; the rest under /postmortem, `postmortem` itself as draft and done.
    const moved = ['why', 'cause', 'impact', 'lesson', 'summary', 'postmortem', 'actions', 'stats'];
    expect(command?.options.map((o) => o.name)).toEqual(commands.map((c) => c.name).filter((name) => !moved.includes(name)));
    expect(postmortem?.options.map((o) => o.name)).toEqual(['why', 'cause', 'impact', 'lesson', 'summary', 'draft', 'done', 'actions', 'stats']);
    expect(postmortem?.options.find((o) => o.name === 'stats')?.options?.find((o) => o.name === 'sev')?.choices?.map((c) => c.value)).toEqual(['P1', 'P2', 'P3', 'P4']);
    const declare = command?.options.find((o) => o.name === 'declare')?.options ?? [];
    expect(declare.map((o) => [o.name, o.type, o.required ?? false])).toEqual([
      ['title', 3, true],
      ['sev', 3, false],
      ['service', 3, false],
      ['summary', 3, false],
      ['private', 5, false],
      ['started', 3, false],
    ]);
    expect(declare[1]?.choices?.map((c) => c.value)).toEqual(['P1', 'P2', 'P3', 'P4']);
  });

  it('says which setting is missing', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DISCORD_TOKEN: 'test-token', DISCORD_APPLICATION_ID: IDS.application };
    delete env.DISCORD_GUILD_ID;
    const run = await runRegister(env);
    expect(run.code).toBe(1);
    expect(run.err).toContain('set DISCORD_GUILD_ID to register the commands');
  });
});

describe('options become the text the subcommands parse', () => {
  const text = (sub: string, values: Record<string, string | boolean>) => invocationText(sub, new Map(Object.entries(values)));

  it('quotes what has spaces, renders people as mentions and puts free text last', () => {
    expect(text('declare', { title: 'DB down', sev: 'P1', private: true })).toBe('declare "DB down" --sev P1 --private');
    expect(text('declare', { title: 'x', summary: 'cards "fail"' })).toBe(`declare x --summary 'cards "fail"'`);
    expect(text('role', { user: bob.id, role: 'comms' })).toBe(`role comms <@${bob.id}>`);
    expect(text('page', { message: 'need a DBA', user: erin.id, rotation: 'backend' })).toBe(`page backend <@${erin.id}> need a DBA`);
    expect(text('action', { done: 'A1', text: 'ignored' })).toBe('action done A1');
    expect(text('note', { text: '--force is "risky"' })).toBe('note --force is "risky"');
  });

  it('keeps any value one token for the core tokenizer', () => {
    for (const v of ['a b', 'say "hi"', `it's "odd"`, 'plain', '']) expect(tokenize(quote(v))).toEqual([v]);
  });
});

describe('/incident on Discord', () => {
  it('defers within 3 s, before creating the channel, and answers when the work is done', async () => {
    app = await discordTestApp({});
    app.fake.delay({ method: 'POST', path: /^\/guilds\/\d+\/channels$/, ms: 1_500 });
    const ix = app.fake.slash(carol, IDS.general, 'declare', { title: 'Slow Discord' });
    const answer = await app.fake.answered(ix);
    const create = app.fake.rest.requests.find((r) => r.path === `/guilds/${IDS.guild}/channels` && r.method === 'POST');
    expect(ix.callbackType).toBe(5);
    expect(ix.callbackAt! - ix.dispatchedAt).toBeLessThan(1_000);
    expect(ix.callbackAt!).toBeLessThanOrEqual(create!.at);
    expect(ix.webhookCalls[0]!.at - ix.dispatchedAt).toBeGreaterThanOrEqual(1_500);
    expect(answer.text).toMatch(/^Declared INC-1: \*\*Slow Discord\*\* \(P3\)\. Channel: <#\d+>\n/);
  });

  it('answers every subcommand as the local workspace does, privately unless the answer is for everyone', async () => {
    app = await discordTestApp(PAGING);
    const { slash, declare, dmSays, channelSays, pages } = discordSteps(app);
    expect(await slash(carol, IDS.general, 'sev', { severity: 'P2' })).toEqual({
      text: '`/incident sev` works inside an incident channel, or anywhere when you name the incident: `/incident sev INC-1`. Open incidents: No open incidents.',
      ephemeral: true,
    });
    expect((await slash(carol, IDS.general, 'help')).text).toContain('**Incident commands**');
    expect((await slash(carol, IDS.general, 'oncall')).text).toContain(`now: <@${alice.id}> until`);
    expect((await slash(carol, IDS.general, 'policy', { policy: 'P1' })).text).toContain('**Dry run of policy default**');
    const ch = await declare(carol, 'DB down');
    await pages(alice);

    const steps: [string, Record<string, string | boolean | typeof bob>, string][] = [
      ['status', { status: 'identified', message: 'bad index' }, 'Done.'],
      ['sev', { severity: 'P2', reason: 'only EU' }, 'Done.'],
      ['role', { role: 'comms', user: bob }, 'Done.'],
      ['note', { text: '--force is "risky"' }, 'Noted on the timeline of INC-1.'],
      ['action', { text: 'add the missing index', owner: bob, due: '1w' }, 'Added action item A1 to INC-1.'],
      ['action', { done: 'A1' }, 'Action item A1 of INC-1 is done.'],
      ['page', { user: erin, message: 'need a DBA' }, `Paging <@${erin.id}>.`],
      ['escalate', {}, 'Escalating INC-1: the next tier is being paged.'],
    ];
    for (const [sub, options, answer] of steps) expect(await slash(carol, ch, sub, options)).toEqual({ text: answer, ephemeral: true });
    await channelSays(ch, `<@${carol.id}> set the status to **identified**: bad index`);
    await channelSays(ch, `<@${bob.id}> is now the **comms lead**`);
    await dmSays(erin, `From <@${carol.id}>: need a DBA`);
    await pages(dave);
    expect((await slash(carol, ch, 'timeline')).text).toContain('note: --force is "risky"');
    expect((await slash(carol, IDS.general, 'list')).text).toContain(`INC-1 · P2 · identified · DB down · <#${ch}>`);
    expect(await slash(dave, ch, 'ack')).toEqual({ text: 'Acknowledged INC-1. Escalation stopped.', ephemeral: true });

    const covered = app.fake.slash(alice, IDS.general, 'cover', { user: bob, duration: '2h' });
    expect(await app.fake.answered(covered)).toMatchObject({ text: expect.stringMatching(new RegExp(`^<@${bob.id}> covers \`backend\` until `)), ephemeral: false });
    await app.fake.until(() => covered.original === null, 5_000, 'the private placeholder to go');
    const other = await declare(carol, 'False alarm');
    expect(await slash(carol, other, 'cancel', { reason: 'test traffic' })).toEqual({ text: 'Done.', ephemeral: true });
  });

  it('has Acknowledge and Escalate buttons on the page DM; only the paged person can acknowledge', async () => {
    app = await discordTestApp(PAGING);
    const { declare, pages } = discordSteps(app);
    await declare(carol, 'DB down');
    const [page] = await pages(alice);
    expect(await app.fake.answered(app.fake.press(bob, page!.id, 'Acknowledge'))).toMatchObject({
      text: expect.stringContaining('Only people paged for INC-1 can acknowledge it'),
      ephemeral: true,
    });
    expect(await app.fake.answered(app.fake.press(alice, page!.id, 'Escalate'))).toEqual({ text: 'Escalating INC-1: the next tier is being paged.', ephemeral: true });
    await pages(dave);
    expect(visibleText(page!)).toContain('[ Acknowledge ] [ Escalate ]');
    expect(await app.fake.answered(app.fake.press(alice, page!.id, 'Acknowledge'))).toEqual({ text: 'Acknowledged INC-1. Escalation stopped.', ephemeral: true });
    // Once acknowledged, the DM itself says so in place of its buttons (a DM channel is edited too).
    await app.settle();
    expect(visibleText(page!)).toContain(`Acknowledged by <@${alice.id}>`);
    expect(visibleText(page!)).not.toContain('[ Acknowledge ]');
  });
});

describe('incident channels', () => {
  it('puts a private incident in the category, hidden from @everyone, and lets invited people in', async () => {
    app = await discordTestApp({}, { adapter: { categoryId: IDS.category } });
    const { declare, slash } = discordSteps(app);
    const ch = await declare(carol, 'Leaked key', { private: true });
    await slash(carol, ch, 'role', { role: 'scribe', user: dave });
    const channel = app.fake.state.channel(ch);
    expect(channel.parent_id).toBe(IDS.category);
    const overwrite = (id: string) => channel.permission_overwrites.find((o) => o.id === id);
    expect(BigInt(overwrite(IDS.guild)?.deny ?? 0) & VIEW_CHANNEL).toBe(VIEW_CHANNEL);
    for (const id of [IDS.bot, carol.id, dave.id]) {
      expect(overwrite(id)).toMatchObject({ type: 1 });
      expect(BigInt(overwrite(id)?.allow ?? 0) & VIEW_CHANNEL).toBe(VIEW_CHANNEL);
    }
  });

  it('leaves public channels open and picks a free name when one is taken', async () => {
    app = await discordTestApp({});
    app.fake.channelMade('inc-1-db-down');
    const { declare, slash } = discordSteps(app);
    const ch = await declare(carol, 'DB down');
    await slash(carol, ch, 'role', { role: 'scribe', user: dave });
    expect(app.fake.state.channel(ch)).toMatchObject({ name: 'inc-1-db-down-2', permission_overwrites: [], parent_id: null });
    expect(app.fake.gateway.identifyIntents).toBe((1 << 0) | (1 << 9) | (1 << 10) | (1 << 12) | (1 << 13) | (1 << 15));
    expect(envFor(app.fake).DISCORD_API_URL).toBe(app.fake.apiUrl);
  });
});
