/**
 * Discord API objects as the real API sends them (v10), built from FakeDiscord's state. Only the
 * fields discord.js reads are filled in; ids are snowflakes (17-19 digits) because discord.js's
 * REST client derives its rate-limit buckets from them.
 */

export interface FakeUser {
  id: string;
  username: string;
  globalName: string | null;
  bot?: boolean;
}

export interface Overwrite {
  id: string;
  /** 0 = role, 1 = member. */
  type: 0 | 1;
  allow: string;
  deny: string;
}

export interface FakeChannel {
  id: string;
  /** 0 = guild text, 1 = DM, 4 = category. */
  type: 0 | 1 | 4;
  guild_id?: string;
  name?: string;
  topic?: string | null;
  parent_id?: string | null;
  position?: number;
  permission_overwrites: Overwrite[];
  /** DM channels only. */
  recipients?: FakeUser[];
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: FakeUser;
  content: string;
  embeds: { description?: string; fields?: { name: string; value: string }[]; footer?: { text: string } }[];
  components: { type: number; components: { type: number; custom_id?: string; label?: string; style?: number }[] }[];
  timestamp: string;
  edited_timestamp: string | null;
  flags: number;
  /** Files sent with the message (multipart), with their bytes for tests to read. */
  attachments?: FakeAttachment[];
}

export interface FakeAttachment {
  id: string;
  filename: string;
  content_type: string;
  size: number;
  description?: string;
  data: Buffer;
}

export interface FakeGuild {
  id: string;
  name: string;
  ownerId: string;
}

const EPOCH = '2025-01-01T00:00:00.000Z';

export function userPayload(u: FakeUser) {
  return { id: u.id, username: u.username, global_name: u.globalName, discriminator: '0', avatar: null, bot: u.bot ?? false, public_flags: 0, flags: 0 };
}

export function memberPayload(u: FakeUser) {
  return { user: userPayload(u), nick: null, roles: [], joined_at: EPOCH, deaf: false, mute: false, flags: 0, pending: false, avatar: null };
}

export function channelPayload(c: FakeChannel) {
  const common = { id: c.id, type: c.type, last_message_id: null, flags: 0 };
  if (c.type === 1) return { ...common, recipients: (c.recipients ?? []).map(userPayload) };
  return {
    ...common,
    guild_id: c.guild_id,
    name: c.name,
    topic: c.topic ?? null,
    parent_id: c.parent_id ?? null,
    position: c.position ?? 0,
    nsfw: false,
    rate_limit_per_user: 0,
    permission_overwrites: c.permission_overwrites,
  };
}

export function messagePayload(m: FakeMessage) {
  return {
    id: m.id,
    channel_id: m.channel_id,
    ...(m.guild_id ? { guild_id: m.guild_id } : {}),
    author: userPayload(m.author),
    content: m.content,
    embeds: m.embeds,
    components: m.components,
    timestamp: m.timestamp,
    edited_timestamp: m.edited_timestamp,
    flags: m.flags,
    type: 0,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: (m.attachments ?? []).map(({ data: _data, ...a }) => ({ ...a, url: `https://cdn.fake.discord.test/attachments/${m.channel_id}/${a.id}/${a.filename}`, proxy_url: `https://media.fake.discord.test/attachments/${m.channel_id}/${a.id}/${a.filename}` })),
    pinned: false,
  };
}

/** Every permission bit set: the fake's @everyone and bot never lack one unless a test says so. */
const ALL_PERMISSIONS = ((1n << 50n) - 1n).toString();

export function guildPayload(g: FakeGuild, channels: FakeChannel[], members: FakeUser[]) {
  return {
    id: g.id,
    name: g.name,
    icon: null,
    owner_id: g.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [{ id: g.id, name: '@everyone', permissions: ALL_PERMISSIONS, position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    premium_tier: 0,
    preferred_locale: 'en-US',
    nsfw_level: 0,
    unavailable: false,
    large: false,
    member_count: members.length,
    joined_at: EPOCH,
    channels: channels.map(channelPayload),
    members: members.map(memberPayload),
    threads: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
  };
}

export interface SlashOption {
  name: string;
  /** 3 string, 4 integer, 5 boolean, 6 user. */
  type: 3 | 4 | 5 | 6;
  value: string | number | boolean;
}

interface InteractionBase {
  id: string;
  token: string;
  applicationId: string;
  user: FakeUser;
  channel: FakeChannel;
}

function interactionCommon(i: InteractionBase) {
  const who = i.channel.guild_id ? { member: { ...memberPayload(i.user), permissions: ALL_PERMISSIONS } } : { user: userPayload(i.user) };
  return {
    id: i.id,
    application_id: i.applicationId,
    token: i.token,
    version: 1,
    channel_id: i.channel.id,
    channel: channelPayload(i.channel),
    ...(i.channel.guild_id ? { guild_id: i.channel.guild_id, guild_locale: 'en-US' } : {}),
    ...who,
    locale: 'en-US',
    app_permissions: ALL_PERMISSIONS,
    entitlements: [],
    authorizing_integration_owners: {},
    context: i.channel.guild_id ? 0 : 1,
    attachment_size_limit: 8_388_608,
  };
}

/** `/<command> <subcommand> option:value ...` as Discord delivers it (INTERACTION_CREATE, type 2). */
export function slashPayload(i: InteractionBase & { commandId: string; command: string; subcommand: string; options: SlashOption[]; users: FakeUser[] }) {
  const resolvedUsers = Object.fromEntries(i.users.map((u) => [u.id, userPayload(u)]));
  return {
    ...interactionCommon(i),
    type: 2,
    data: {
      id: i.commandId,
      name: i.command,
      type: 1,
      options: [{ type: 1, name: i.subcommand, options: i.options }],
      ...(i.users.length ? { resolved: { users: resolvedUsers } } : {}),
    },
  };
}

/** A submitted modal (INTERACTION_CREATE, type 5): each text input's custom_id and what was typed. */
export function modalSubmitPayload(i: InteractionBase & { customId: string; values: Record<string, string> }) {
  const components = Object.entries(i.values).map(([id, value]) => ({ type: 1, components: [{ type: 4, custom_id: id, value }] }));
  return { ...interactionCommon(i), type: 5, data: { custom_id: i.customId, components } };
}

/** A button press on a message (INTERACTION_CREATE, type 3). */
export function buttonPayload(i: InteractionBase & { message: FakeMessage; customId: string }) {
  return { ...interactionCommon(i), type: 3, message: messagePayload(i.message), data: { custom_id: i.customId, component_type: 2 } };
}
