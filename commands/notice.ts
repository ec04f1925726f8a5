import { z } from 'zod';
import { validate } from '../src/core/args.js';
import { IncidentError } from '../src/core/errors.js';
import { NOTICE_MAX, parseAudience } from '../src/core/notice.js';
import type { Command } from '../src/app/context.js';
import { draftReply, noticeDraft, postNotice, requireNoticeChannel } from '../src/app/notice.js';
import { limitedText } from '../src/app/schemas.js';

/**
 * `/incident notice <internal|external>` drafts a stakeholder notice from the incident's record
 * and shows it to its author alone, with Post and Edit; `--post` posts at once (the draft, or the
 * text after it instead) to the audience's channel (`channels.stakeholders`, `channels.external`).
 * The commander, comms, the declarer and admins may (src/core/authz.ts).
 */
export const notice: Command = {
  name: 'notice',
  usage: 'usage.notice',
  help: 'help.notice',
  scope: 'incident',
  guard: 'notice',
  async run(ctx) {
    const { deps, incident } = ctx;
    // The text after --post is taken verbatim, like an update: it is for people to read, not parsed.
    const m = /^(\S*)(?:\s+(\S+))?(?:\s+([\s\S]*))?$/.exec(ctx.args.trim());
    const [, word = '', flag, rest] = m ?? [];
    if (!word) throw new IncidentError('missing_argument', { whatKey: 'arg.notice_audience', usageKey: 'usage.notice' });
    const audience = parseAudience(word);
    if (!audience) throw new IncidentError('bad_audience', { value: word });
    if (flag !== undefined && flag.toLowerCase() !== '--post') throw new IncidentError('bad_argument', { problem: `\`${flag}\` is not --post (to post other words: --post <text>)`, usageKey: 'usage.notice' });
    const channel = requireNoticeChannel(deps.config, audience, deps.t);
    const max = Math.min(deps.config.limits.text, NOTICE_MAX);
    const { text } = validate(z.object({ text: limitedText(max, 'arg.notice_text') }), { text: rest ?? '' }, 'usage.notice');
    if (flag === undefined) return draftReply(deps, incident, audience, await noticeDraft(deps, incident, audience), channel);
    return { text: await postNotice(deps, incident, audience, text || (await noticeDraft(deps, incident, audience)), ctx.inv.user) };
  },
};
