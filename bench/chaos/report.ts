import { LATE_MS, type Figures } from './analyze.js';
import type { Cluster } from './cluster.js';
import type { Driver } from './drive.js';
import type { Pending, Recorded } from './record.js';

/**
 * The verdict of a run and the table it prints. The run passes when nothing was lost, given up
 * or doubled (the at-least-once window is printed apart and does not fail it), every page that
 * waited on an outage went out within 5 s of the bot or Redis being back (and no other page was
 * more than 15 s late), the record shows every due step once, nothing was left pending, no bot
 * crashed, and the whole run took under 3 minutes.
 */

export const MAX_DELAY_AFTER_RESTART_MS = 5_000;
export const MAX_WALL_MS = 180_000;

export interface Inbound {
  declares: number;
  declaresAnswered: number;
  /** Declares sent again because the first answer said it failed. */
  declaresRetried: number;
  duplicateDeclares: string[];
  acksSent: number;
  acksRecorded: number;
  acksTwice: string[];
  messagesSent: number;
  messagesRecorded: number;
  messagesTwice: string[];
  /** Messages delivered (a 200 from a bot) that never reached the timeline. */
  messagesMissing: string[];
}

/** What the inbound side did: each declare one incident, each ✅ one acknowledgement, each message one timeline entry. */
export function inbound(driver: Driver, slack: Recorded[], discord: Recorded[]): Inbound {
  const all = [...slack, ...discord];
  const byTitle = new Map<string, number>();
  for (const r of all) byTitle.set(r.incident.title, (byTitle.get(r.incident.title) ?? 0) + 1);
  const acked = all.map((r) => ({ r, n: r.events.filter((e) => e.type === 'acknowledged').length }));
  let messagesSent = 0;
  let messagesRecorded = 0;
  const messagesTwice: string[] = [];
  const messagesMissing: string[] = [];
  for (const run of driver.incidents) {
    const m = run.message;
    if (!m || 'skipped' in m || m.deliveredOk === 0) continue;
    messagesSent++;
    const rec = slack.find((r) => r.incident.number === run.number);
    const n = rec?.events.filter((e) => e.type === 'message_posted' && e.messageId === m.ts).length ?? 0;
    if (n > 0) messagesRecorded++;
    else messagesMissing.push(`${rec?.incident.ref ?? `#${run.plan.index}`} message ${m.ts} (delivered ${m.deliveredOk}×)`);
    if (n > 1) messagesTwice.push(`${rec?.incident.ref} message ${m.ts} ×${n}`);
  }
  return {
    declares: driver.incidents.length,
    declaresAnswered: driver.incidents.filter((i) => i.number !== undefined).length,
    declaresRetried: driver.incidents.filter((i) => (i.declares ?? 1) > 1).length,
    duplicateDeclares: [...byTitle].filter(([, n]) => n > 1).map(([t, n]) => `${t} ×${n}`),
    acksSent: driver.incidents.filter((i) => i.ack && !('skipped' in i.ack) && i.ack.deliveredOk > 0).length,
    acksRecorded: acked.filter((a) => a.n > 0).length,
    acksTwice: acked.filter((a) => a.n > 1).map((a) => `${a.r.incident.workspace} ${a.r.incident.ref} ×${a.n}`),
    messagesSent,
    messagesRecorded,
    messagesTwice,
    messagesMissing,
  };
}

export function failures(f: Figures, i: Inbound, pending: Pending, cluster: Cluster, wallMs: number): string[] {
  const out: string[] = [];
  const list = (items: string[]) => (items.length > 4 ? `${items.slice(0, 4).join('; ')}; …` : items.join('; '));
  if (f.lost.length) out.push(`${f.lost.length} page(s) lost: ${list(f.lost.map((p) => `${p.key} (${p.page.state})`))}`);
  // The fakes never refuse a DM for good, so a page that failed is one the bot gave up on.
  const failedPages = f.pages.filter((p) => p.verdict === 'failed');
  if (failedPages.length) out.push(`${failedPages.length} page(s) given up: ${list(failedPages.map((p) => `${p.key} (${p.page.reason ?? '?'})`))}`);
  if (f.duplicated.length) out.push(`${f.duplicated.length} page(s) duplicated: ${list(f.duplicated.map((p) => `${p.key} ×${p.dms.length}`))}`);
  if (f.unlinked.length) out.push(`${f.unlinked.length} page DM(s) never linked to their page: ${list(f.unlinked.map((p) => p.key))}`);
  if (f.unmatchedDms.length) out.push(`${f.unmatchedDms.length} page DM(s) for no page in the record`);
  if (f.stepsTwice.length) out.push(`steps recorded twice: ${list(f.stepsTwice)}`);
  if (f.stepsMissing.length) out.push(`steps never recorded: ${list(f.stepsMissing)}`);
  if (f.stuck.length) out.push(`escalations left paging: ${list(f.stuck)}`);
  if ((f.worstAfterRestart?.ms ?? 0) > MAX_DELAY_AFTER_RESTART_MS) out.push(`a page went out ${sec(f.worstAfterRestart?.ms)} after a restart (${f.worstAfterRestart?.page}, after ${f.worstAfterRestart?.outage})`);
  if (f.lateWithoutOutage.length) out.push(`${f.lateWithoutOutage.length} page(s) more than ${sec(LATE_MS)} late with nothing down: ${list(f.lateWithoutOutage.map((p) => `${p.key} ${sec(p.latenessMs)}`))}`);
  if (i.duplicateDeclares.length) out.push(`one declare made several incidents: ${list(i.duplicateDeclares)}`);
  if (i.acksTwice.length) out.push(`acknowledged more than once: ${list(i.acksTwice)}`);
  if (i.messagesTwice.length) out.push(`redelivered messages recorded more than once: ${list(i.messagesTwice)}`);
  const left = pending.requested + pending.paging + pending.outbox + pending.outbound;
  if (left !== 0) out.push(`not settled: ${JSON.stringify(pending)}`);
  if (cluster.crashes.length) out.push(`bot crashed: ${list(cluster.crashes.map((c) => `${c.bot} ${c.exit}`))}`);
  if (wallMs > MAX_WALL_MS) out.push(`the run took ${sec(wallMs)}, over ${sec(MAX_WALL_MS)}`);
  return out;
}

export function sec(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`;
}

export function table(f: Figures, i: Inbound, faults: { slack: number; discord: number }, cluster: Cluster, wallMs: number): string {
  const rows: [string, string][] = [
    ['incidents recorded (declares found / sent, retried)', `${f.incidents} (${i.declaresAnswered} / ${i.declares}, ${i.declaresRetried})`],
    ['pages expected (in the record)', String(f.expected)],
    ['pages delivered', String(f.delivered)],
    ['pages stood down before their DM', String(f.endedFirst)],
    ['pages given up (failed for good)', String(f.failed)],
    ['pages lost', String(f.lost.length)],
    ['pages duplicated', String(f.duplicated.length)],
    ['at-least-once window (DM out, killed before page_sent)', `${f.windowDuplicated.length} (${f.windowDuplicated.filter((p) => p.windowDuplicates > 0).length} sent twice)`],
    ['pages that waited on an outage', String(f.afterRestartCount)],
    ['worst delay after a restart', f.worstAfterRestart ? `${sec(f.worstAfterRestart.ms)} (${f.worstAfterRestart.page}, ${f.worstAfterRestart.outage})` : '-'],
    ['page lateness p50 / p95 / max', `${sec(f.lateness.p50)} / ${sec(f.lateness.p95)} / ${sec(f.lateness.max)} (${f.lateness.maxPage})`],
    ['steps recorded twice / never / left paging', `${f.stepsTwice.length} / ${f.stepsMissing.length} / ${f.stuck.length}`],
    ['acks sent / recorded / twice', `${i.acksSent} / ${i.acksRecorded} / ${i.acksTwice.length}`],
    ['channel messages sent / recorded / twice', `${i.messagesSent} / ${i.messagesRecorded} / ${i.messagesTwice.length}`],
    ['faults injected (Slack / Discord)', `${faults.slack} / ${faults.discord}`],
    ['outages', cluster.outages.map((o) => `${o.what} ${sec((o.up ?? Date.now()) - o.down)}`).join(', ')],
    ['bot crashes', String(cluster.crashes.length)],
    ['wall time', sec(wallMs)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return ['| figure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v} |`)].join('\n');
}

/** Error lines the bots logged, grouped by message, most frequent first. */
export function botErrors(cluster: Cluster): string[] {
  const counts = new Map<string, number>();
  for (const bot of cluster.bots.values()) {
    for (const proc of bot.history) {
      for (const line of proc.out().split('\n')) {
        const m = /"level":(\d+).*"msg":"([^"]*)"/.exec(line);
        if (!m || Number(m[1]) < 50) continue;
        const key = `bot ${bot.name}: ${m[2]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} × ${k}`);
}
