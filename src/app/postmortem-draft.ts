import { PlatformError } from '../core/errors.js';
import { event } from '../core/events.js';
import type { Incident } from '../core/model.js';
import type { OutboundMessage } from '../core/ports.js';
import { draftDigest, draftText } from '../core/draft-post.js';
import { formatDate } from '../core/durations.js';
import { renderPostmortem } from '../core/postmortem.js';
import { BOT } from '../core/projection.js';
import { outboundJobId } from '../scheduler/job-ids.js';
import type { Deps } from './context.js';
import { errorRef } from './dispatch.js';
import { record } from './record.js';

/**
 * `/incident postmortem`: the draft written again from the timeline as it stands, at any time
 * (while the incident is on, after the resolve, after the close), its file rewritten, and the
 * draft posted in the incident's channel (issue 12). The close's own draft is written by its
 * effect (src/app/effects.ts writePostmortem) with the same options, and posted the same way
 * (core/draft-post.ts: whole, or its path and first lines when long).
 */

/** The draft of the incident, rendered from its events at `now`. */
export async function renderDraft(deps: Deps, inc: Incident, now = deps.clock.now()): Promise<string> {
  const events = await deps.store.events(inc);
  return renderPostmortem(inc, events, {
    t: deps.t,
    timeZone: deps.config.timeZone,
    severityName: (id) => deps.config.severities.find((s) => s.id === id)?.name ?? id,
    now,
  });
}

/** The draft's digest (core/draft-post.ts): rendered at `now`, its footer says that day. */
export function digestOf(deps: Deps, markdown: string, path: string, now: Date): string {
  return draftDigest(markdown, deps.t('pm.footer', { date: formatDate(now.toISOString(), deps.config.timeZone) }), path);
}

/** Whether the incident's channel was last shown this very draft (its digest). */
export async function postedAlready(deps: Deps, inc: Incident, digest: string): Promise<boolean> {
  const last = await deps.postmortemIndex?.postedDraft(inc.workspace, inc.number);
  return last !== undefined && last === digest;
}

/** Remembers the draft just posted in the incident's channel (also the close's, src/app/effects.ts). */
export async function rememberPosted(deps: Deps, inc: Incident, digest: string): Promise<void> {
  await deps.postmortemIndex?.draftPosted(inc.workspace, inc.number, digest);
}

export interface WrittenDraft {
  after: Incident;
  path: string;
  /** The draft as the channel reads it: whole, or its path and first lines when too long. */
  message: OutboundMessage;
  /** What tells this draft from another (digestOf). */
  digest: string;
}

/** Writes the draft again (the file is replaced) and records where it went, when that is new. */
export async function rewriteDraft(deps: Deps, inc: Incident): Promise<WrittenDraft> {
  const now = deps.clock.now();
  const markdown = await renderDraft(deps, inc, now);
  const path = await deps.postmortems.write(inc, markdown);
  const { after } = await record(deps, inc, (current) => (current.postmortemPath === path ? [] : [event({ type: 'postmortem_written', path }, BOT, deps.clock.now())]), { current: inc });
  return { after, path, message: { text: draftText(deps.t, inc.ref, markdown, path) }, digest: digestOf(deps, markdown, path, now) };
}

/**
 * Posts the draft in the incident's channel: at once, or through the outbound queue (retried
 * until it lands) when the platform pushes back. Each changed draft is its own post; the caller
 * skips one the channel was shown already (postedAlready).
 */
export async function postDraft(deps: Deps, inc: Incident, message: OutboundMessage): Promise<void> {
  const channelId = inc.channelId;
  if (!channelId) return;
  try {
    await deps.chat.post(inc.workspace, channelId, message);
  } catch (err) {
    if (err instanceof PlatformError && err.kind === 'permanent') throw err;
    deps.log.warn({ incidentId: inc.ref, workspace: inc.workspace, err: (err as Error).message }, 'postmortem draft queued for retry');
    await deps.scheduler.send({ id: outboundJobId(['pmd', inc.workspace, inc.number, errorRef()]), workspace: inc.workspace, kind: 'post', target: channelId, message });
  }
}
