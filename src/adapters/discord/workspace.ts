/**
 * Workspace ids of Discord incidents are `discord:<guild id>`: the RoutingChat sends a queued page
 * or a step's post back to this adapter by that prefix, and one bot can serve several guilds.
 */
export const PLATFORM = 'discord';

export function workspaceOf(guildId: string): string {
  return `${PLATFORM}:${guildId}`;
}

/** The guild id of a Discord workspace; throws on anything else, which would be a wiring bug. */
export function guildOf(workspace: string): string {
  const prefix = `${PLATFORM}:`;
  if (!workspace.startsWith(prefix)) throw new Error(`not a Discord workspace: ${workspace}`);
  return workspace.slice(prefix.length);
}
