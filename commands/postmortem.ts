import { mentionId, tokenize } from '../src/core/args.js';
import { authorize } from '../src/core/authz.js';
import { IncidentError } from '../src/core/errors.js';
import type { Actor } from '../src/core/model.js';
import { assertReviewable, decidePostmortemReviewed } from '../src/core/postmortem-review.js';
import { change } from '../src/app/change.js';
import type { Command, CommandContext, Reply } from '../src/app/context.js';
import { postDraft, postedAlready, rememberPosted, rewriteDraft } from '../src/app/postmortem-draft.js';
import { resolveMention } from '../src/app/users.js';

/**
 * `/incident postmortem [INC-n]`: the draft written again from the timeline, at any time (also
 * after the close), saved over its file and posted in the incident's channel, unless the channel
 * was last shown this same draft (then the answer says so). Anyone who can see the incident.
 * `/incident postmortem [INC-n] done [@reviewers]`: records the review (seed 004's 48-hour rule):
 * after the resolve, and also once the incident is closed, which otherwise takes no more changes.
 * The reviewers are whoever typed it unless named. It stops the commander's reminders and counts
 * as reviewed, so, like `close`, only the commander, the declarer or an admin may record it.
 */
export const postmortem: Command = {
  name: 'postmortem',
  usage: 'usage.postmortem',
  help: 'help.postmortem',
  scope: 'incident',
  async run(ctx) {
    const [verb, ...rest] = tokenize(ctx.args);
    if (!verb) return regenerate(ctx);
    if (verb.toLowerCase() !== 'done') throw new IncidentError('bad_argument', { problem: ctx.deps.t('arg.postmortem_not_done', { verb }), usageKey: 'usage.postmortem' });
    return reviewed(ctx, rest);
  },
};

async function regenerate(ctx: CommandContext): Promise<Reply> {
  const { deps } = ctx;
  const { after, path, message, digest } = await rewriteDraft(deps, ctx.incident);
  if (!after.channelId) return { text: `${deps.t('reply.postmortem_written', { ref: after.ref, path })}\n\n${message.text}` };
  if (await postedAlready(deps, after, digest)) return { text: deps.t('reply.postmortem_unchanged', { ref: after.ref, channelId: after.channelId, path }) };
  await postDraft(deps, after, message);
  await rememberPosted(deps, after, digest);
  return { text: deps.t('reply.postmortem_posted', { ref: after.ref, channelId: after.channelId, path }) };
}

async function reviewed(ctx: CommandContext, tokens: readonly string[]): Promise<Reply> {
  const { deps, inv } = ctx;
  // Refused before anyone is looked up: someone who may not, or a review before the resolve, writes nothing and asks nobody.
  authorize(ctx.incident, inv.user, 'review', { admins: deps.config.admins });
  assertReviewable(ctx.incident);
  const reviewers = await reviewersOf(ctx, tokens);
  const after = await change(ctx, (inc) => decidePostmortemReviewed(inc, reviewers, inv.user, deps.clock.now()));
  const names = (after.postmortemReviewers ?? reviewers).map((r) => `<@${r.id}>`).join(', ');
  return { text: deps.t('reply.postmortem_reviewed', { ref: after.ref, reviewers: names }) };
}

/** The people named (each once), or whoever typed it. */
async function reviewersOf(ctx: CommandContext, tokens: readonly string[]): Promise<Actor[]> {
  const { deps, inv } = ctx;
  if (tokens.length === 0) return [inv.user];
  const wanted = [...new Map(tokens.map((token) => [mentionId(token) ?? token, token])).values()];
  const max = deps.config.limits.pageTargets;
  if (wanted.length > max) throw new IncidentError('bad_argument', { problem: deps.t('arg.too_many_reviewers', { max, count: wanted.length }), usageKey: 'usage.postmortem' });
  const out: Actor[] = [];
  for (const token of wanted) out.push(mentionId(token) === inv.user.id ? inv.user : await resolveMention(deps, inv.workspace, token));
  return out;
}
