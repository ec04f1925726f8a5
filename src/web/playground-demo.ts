import type { AppConfig } from '../config.js';
import type { LocalMessage, LocalWorkspace } from '../adapters/local/local-workspace.js';
import { LOCAL_WORKSPACE, react, runCommand, sendMessage, showError, type LocalBot, type LocalSeat } from '../adapters/local/seat.js';
import { STEPS } from '../demo-script.js';

/**
 * "Play the demo" in the browser playground: the steps of `npm run demo`'s sale-day incident
 * (src/demo-script.ts), typed into the playground's own workspace and bot, one every `stepMs`.
 * Unlike the terminal demo it runs on the bot's real clock and config: a flag the config does
 * not know (a service, a severity) is left out, and the ✅ goes to whichever page DM the config's
 * policy sent (nobody's, when it pages nobody). Each step is said as a line for the page.
 */

export interface PlaygroundDemoOptions {
  /** Pause before each step (default 1.5 s, as DEMO_STEP_MS). */
  stepMs?: number;
  /** How to wait (tests pass one that does not). */
  pause?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The line with `--service` / `--sev` left out when the config has no such service or severity. */
export function adaptLine(line: string, config: Pick<AppConfig, 'services' | 'severities'>): string {
  return line
    .replace(/\s--service\s+(\S+)/, (whole, id: string) => (config.services.some((s) => s.id === id) ? whole : ''))
    .replace(/\s--sev\s+(\S+)/, (whole, id: string) => (config.severities.some((s) => s.id === id) ? whole : ''));
}

/** The newest page DM (a DM with an Acknowledge button) of `user`, else of anyone, and whose it is; none of those in `before` (sent before the demo). */
export function pageToAck(chat: LocalWorkspace, user: string, before: ReadonlySet<string> = new Set()): { user: string; msg: LocalMessage } | undefined {
  const pages = [...chat.messages.values()].filter((m) => !before.has(m.id) && m.channelId.startsWith('dm-') && m.message.actions?.some((a) => a.id === 'ack'));
  const page = pages.filter((m) => m.channelId === `dm-${user}`).pop() ?? pages.pop();
  return page ? { user: page.channelId.slice(3), msg: page } : undefined;
}

/** How long the demo waits for a page DM it asked for to be sent and linked to its page. */
const PAGE_WAIT_MS = 10_000;

/**
 * The page DM to acknowledge (see pageToAck) once the bot has linked it to its page: a ✅ on a DM
 * not yet linked would be a reaction on no page. Waits up to PAGE_WAIT_MS for the DM and its link;
 * then the DM as it is, or none.
 */
async function linkedPage(bot: LocalBot, user: string, before: ReadonlySet<string>): Promise<ReturnType<typeof pageToAck>> {
  const until = Date.now() + PAGE_WAIT_MS;
  for (;;) {
    const page = pageToAck(bot.workspace, user, before);
    if (page && (await bot.deps.store.findPageByMessage(LOCAL_WORKSPACE, page.msg.channelId, page.msg.id))) return page;
    if (Date.now() >= until) return page;
    await sleep(25);
  }
}

export function playgroundDemo(bot: LocalBot, o: PlaygroundDemoOptions = {}): (say: (line: string) => void) => Promise<void> {
  const stepMs = o.stepMs ?? 1500;
  const pause = o.pause ?? sleep;
  return async (say) => {
    const place = { user: STEPS[0]?.as ?? 'bob', channel: 'general' };
    // Pages sent before the demo (the visitor's own incidents) are not the demo's to acknowledge.
    const before = new Set(bot.workspace.messages.keys());
    const seat: LocalSeat = () => place;
    // Follow the person typing into a channel they are invited to, as the terminal does.
    const stop = bot.workspace.onChange((c) => {
      if (c.kind === 'invite' && c.userIds.includes(place.user) && c.channelId !== place.channel) place.channel = c.channelId;
    });
    try {
      for (const step of STEPS) {
        if (!step.line && !step.react) continue;
        await pause(stepMs);
        if (step.react) {
          if (!pageToAck(bot.workspace, step.as, before)) {
            // A config without a policy pages nobody: the one typing until now (the commander)
            // pages the person by hand, as seed 004's tier 2.
            say(`${step.at}  @${place.user} #${place.channel}> /incident page @${step.as}  (the config's policy paged nobody)`);
            await runCommand(bot, seat, `page @${step.as}`).catch((err: unknown) => showError(bot, seat, err, `page @${step.as}`));
          }
          const page = await linkedPage(bot, step.as, before);
          if (!page) {
            say(`${step.at}  (no page DM to acknowledge)`);
            continue;
          }
          place.user = page.user;
          say(`${step.at}  @${page.user} reacted ✅ to ${page.msg.id} in their DM`);
          await react(bot, seat, page.msg, '✅');
          continue;
        }
        place.user = step.as;
        const line = adaptLine(step.line ?? '', bot.deps.config);
        say(`${step.at}  @${place.user} #${place.channel}> ${line}`);
        try {
          if (/^\/incident(\s|$)/i.test(line)) await runCommand(bot, seat, line.replace(/^\/incident\s*/i, ''));
          else await sendMessage(bot, seat, line);
        } catch (err) {
          showError(bot, seat, err, line);
        }
      }
    } finally {
      stop();
    }
  };
}
