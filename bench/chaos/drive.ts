import type { Sent, SlackSender } from '../../test/fakes/slack-sender.js';
import { IDS, PEOPLE } from '../../test/fakes/fake-discord.js';
import type { FakeUser } from '../../test/fakes/fake-discord-payloads.js';
import { sleep, type Cluster } from './cluster.js';
import { Disruptions } from './kills.js';
import type { IncidentPlan, Plan } from './plan.js';
import { DISCORD_WS, SLACK_COMMANDER, SLACK_WS, type PageDm, type Platforms } from './platforms.js';
import type { RecordReader } from './record.js';
import type { Rng } from './rng.js';

/**
 * Carries a plan out against the running bots, as people and the platforms would: declares
 * through signed slash commands (to the planned bot, or the other one when it is down, as a
 * person retries a command that failed) and Discord interactions; acknowledgements by ✅ on
 * the latest page DM (an Events API event delivered up to 4 times under one event_id, each
 * delivery to either bot, as behind a load balancer) or by `/incident ack INC-n`; one message
 * per Slack incident channel, also redelivered. Kills and the Redis restart are in kills.ts.
 */

export interface IncidentRun {
  plan: IncidentPlan;
  /** The incident number the declare answered with, or found by its title when no answer came. */
  number?: number;
  declaredAt?: number;
  /** How many times the declare was sent (again after an answer that said it failed), and those answers. */
  declares?: number;
  errors?: string[];
  ack?: { dm: PageDm; deliveredOk: number; at: number } | { skipped: string };
  message?: { channelId: string; ts: string; deliveredOk: number } | { skipped: string };
}

const ANSWER_TIMEOUT_MS = 10_000;

export class Driver {
  readonly incidents: IncidentRun[] = [];
  readonly disruptions: Disruptions;
  private t0 = 0;

  constructor(
    private readonly platforms: Platforms,
    private readonly cluster: Cluster,
    private readonly plan: Plan,
    private readonly rng: Rng,
    private readonly reader: RecordReader,
    private readonly note: (line: string) => void,
  ) {
    const unacknowledged = (n: number) => this.incidents.some((r) => r.number === n && r.plan.platform === 'slack' && !r.plan.ack);
    this.disruptions = new Disruptions(platforms, cluster, plan, (line) => note(`${this.elapsed()} ${line}`), unacknowledged);
  }

  async run(): Promise<void> {
    this.t0 = Date.now();
    const work = this.plan.incidents.map((p) => this.at(p.at, () => this.incident(p)));
    work.push(this.disruptions.run((ms, fn) => this.at(ms, fn)));
    await Promise.all(work);
  }

  private async at(ms: number, fn: () => Promise<void>): Promise<void> {
    await sleep(this.t0 + ms - Date.now());
    await fn();
  }

  private elapsed(): string {
    return `${((Date.now() - this.t0) / 1000).toFixed(1)}s`;
  }

  // ---- people ----

  private async incident(p: IncidentPlan): Promise<void> {
    const run: IncidentRun = { plan: p };
    this.incidents.push(run);
    run.declaredAt = Date.now();
    run.number = p.platform === 'slack' ? await this.declareOnSlack(p, run) : await this.declareOnDiscord(p, run);
    const tasks: Promise<void>[] = [];
    if (p.ack) tasks.push(this.at(p.at + p.ack.afterMs, async () => void (run.ack = await this.ack(p, run.number))));
    if (p.message) tasks.push(this.at(p.at + p.message.afterMs, async () => void (run.message = await this.message(p, run.number))));
    await Promise.all(tasks);
  }

  /** Sends to `preferred` if it is up, else to the other bot; a refused connection is retried (a person trying again). */
  private async toSomeBot(preferred: string | undefined, send: (s: SlackSender) => Promise<Sent>): Promise<Sent | undefined> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const up = ['A', 'B'].filter((b) => this.cluster.isUp(b));
      const bot = preferred && up.includes(preferred) ? preferred : up.length ? this.rng.pick(up) : undefined;
      if (bot) {
        const sent = await send(this.platforms.slack.sender(this.cluster.url(bot))).catch(() => undefined);
        if (sent?.status === 200) return sent;
      }
      await sleep(300);
    }
    return undefined;
  }

  /**
   * A slash command is never redelivered by Slack (a second declare is a second incident), so
   * it is sent once; only an answer that says it failed makes the person try again (3 times).
   */
  private async declareOnSlack(p: IncidentPlan, run: IncidentRun): Promise<number | undefined> {
    const general = this.platforms.slack.workspace.channelByName('general')?.id ?? '';
    for (let attempt = 1; attempt <= 3; attempt++) {
      run.declares = attempt;
      let responseUrl = '';
      const sent = await this.toSomeBot(p.bot, async (s) => {
        const r = await s.command(`declare ${p.title} --sev P1`, { user: SLACK_COMMANDER, channel: general, channelName: 'general' });
        responseUrl = r.responseUrl;
        return r;
      });
      if (!sent) return undefined;
      const answer = await this.platforms.slack.waitForResponse(responseUrl, ANSWER_TIMEOUT_MS).catch(() => undefined);
      if (!answer) return this.lookUp(SLACK_WS, p.title);
      const number = refOf(answer.body.text ?? '');
      if (number !== undefined) return number;
      run.errors = [...(run.errors ?? []), answer.body.text ?? ''];
      await sleep(1_000);
    }
    return undefined;
  }

  /** No answer came (the bot died mid-command): the person finds the incident by its title in `/incident list`. */
  private async lookUp(ws: string, title: string): Promise<number | undefined> {
    for (let i = 0; i < 10; i++) {
      const found = await this.reader.incidents(ws).then((all) => all.find((r) => r.incident.title === title), () => undefined);
      if (found) return found.incident.number;
      await sleep(500);
    }
    return undefined;
  }

  private async discordUp(): Promise<boolean> {
    const deadline = Date.now() + 25_000;
    while (!this.platforms.discord.gateway.connected || !this.cluster.isUp('A')) {
      if (Date.now() > deadline) return false;
      await sleep(100);
    }
    return true;
  }

  private async declareOnDiscord(p: IncidentPlan, run: IncidentRun): Promise<number | undefined> {
    const fake = this.platforms.discord;
    for (let attempt = 1; attempt <= 3; attempt++) {
      if (!(await this.discordUp())) return undefined;
      run.declares = attempt;
      const ix = fake.slash(PEOPLE.dave, IDS.general, 'declare', { title: p.title, sev: 'P2' });
      const answer = await fake.answered(ix, ANSWER_TIMEOUT_MS).catch(() => undefined);
      if (!answer) return this.lookUp(DISCORD_WS, p.title);
      const number = refOf(answer.text);
      if (number !== undefined) return number;
      run.errors = [...(run.errors ?? []), answer.text];
      await sleep(1_000);
    }
    return undefined;
  }

  /** The latest page DM of the incident, waiting a little for the first one. */
  private async latestDm(ws: string, number: number): Promise<PageDm | undefined> {
    const deadline = Date.now() + 6_000;
    for (;;) {
      const dms = this.platforms.pageDms().filter((d) => d.workspace === ws && d.number === number);
      if (dms.length || Date.now() > deadline) return dms.at(-1);
      await sleep(100);
    }
  }

  private async ack(p: IncidentPlan, number: number | undefined): Promise<IncidentRun['ack']> {
    const plan = p.ack;
    if (!plan) return undefined;
    if (number === undefined) return { skipped: 'no declare answer' };
    const dm = await this.latestDm(p.platform === 'slack' ? SLACK_WS : DISCORD_WS, number);
    if (!dm) return { skipped: 'no page DM to react to' };
    const at = Date.now();
    if (p.platform === 'discord') {
      const user = Object.values(PEOPLE).find((u: FakeUser) => u.id === dm.user);
      let ok = 0;
      for (let i = 0; i < plan.deliveries && user; i++) {
        if (!(await this.discordUp())) break;
        this.platforms.discord.userReacts(user, dm.messageId, '✅');
        ok++;
        await sleep(this.rng.between(100, 1_500));
      }
      return { dm, deliveredOk: ok, at };
    }
    const eventId = `EvChaosAck${String(p.index).padStart(3, '0')}`;
    const event = { type: 'reaction_added', user: dm.user, reaction: 'white_check_mark', item: { type: 'message', channel: dm.channelId, ts: dm.messageId }, item_user: 'UBOT', event_ts: this.platforms.slack.workspace.nextTs() };
    const general = this.platforms.slack.workspace.channelByName('general')?.id ?? '';
    const ok = await this.redeliver(plan.deliveries, (s, retryNum) =>
      plan.how === 'reaction' ? s.event(event, { eventId, ...(retryNum ? { retryNum } : {}) }) : s.command(`ack INC-${number}`, { user: dm.user, channel: general }),
    );
    return { dm, deliveredOk: ok, at };
  }

  private async message(p: IncidentPlan, number: number | undefined): Promise<IncidentRun['message']> {
    if (!p.message || number === undefined) return { skipped: 'no declare answer' };
    const ws = this.platforms.slack.workspace;
    const name = new RegExp(`^inc-${number}-chaos-k\\d+-down(-\\d+)?$`);
    const deadline = Date.now() + 8_000;
    let channelId: string | undefined;
    while (!(channelId = [...ws.channels.values()].find((c) => name.test(c.name))?.id) && Date.now() < deadline) await sleep(100);
    if (!channelId) return { skipped: 'no channel yet' };
    const ts = ws.nextTs();
    const eventId = `EvChaosMsg${String(p.index).padStart(3, '0')}`;
    const event = { type: 'message', channel: channelId, user: SLACK_COMMANDER, text: `chaos note ${p.index}`, ts, event_ts: ts, channel_type: 'channel' };
    const ok = await this.redeliver(p.message.deliveries, (s, retryNum) => s.event(event, { eventId, ...(retryNum ? { retryNum } : {}) }));
    return { channelId, ts, deliveredOk: ok };
  }

  /** Delivers the same request `times` times (each to a random bot that is up), a random gap apart. */
  private async redeliver(times: number, send: (s: SlackSender, retryNum: number) => Promise<Sent>): Promise<number> {
    let ok = 0;
    for (let i = 0; i < times; i++) {
      if (await this.toSomeBot(undefined, (s) => send(s, i))) ok++;
      await sleep(this.rng.between(100, 1_500));
    }
    return ok;
  }
}

function refOf(text: string): number | undefined {
  const m = /Declared INC-(\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}
