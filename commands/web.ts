import type { Command } from '../src/app/context.js';

/**
 * `/incident web`: a one-time sign-in link to the web dashboard, sent to the person by DM (never
 * in the channel: the link signs in as them). The answer says where it went, not what it is.
 */
export const web: Command = {
  name: 'web',
  usage: 'usage.web',
  help: 'help.web',
  scope: 'anywhere',
  async run({ deps, inv }) {
    if (!deps.web) return { text: deps.t('reply.web_off') };
    const { url, minutes } = await deps.web.signInLink({ platform: inv.platform, workspace: inv.workspace, userId: inv.user.id, name: inv.user.name });
    await deps.chat.dm(inv.workspace, inv.user.id, { text: deps.t('dm.web_link', { url, minutes }) });
    return { text: deps.t('reply.web_sent', { minutes }) };
  },
};
