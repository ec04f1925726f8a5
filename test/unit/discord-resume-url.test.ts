import { describe, expect, it } from 'vitest';
import { parseSession, resumeUrlAllowed } from '../../src/adapters/discord/gateway-session.js';

/**
 * What a replica taking the gateway over accepts from the session stored in Redis
 * (src/adapters/discord/gateway-session.ts): @discordjs/ws sends the bot token to the resume URL,
 * so only Discord's gateway, or the host /gateway/bot named, is connected to.
 */

describe('the stored gateway session', () => {
  it('resumes only towards Discord\'s gateway or the host /gateway/bot gave', () => {
    const discord = 'wss://gateway.discord.gg';
    expect(resumeUrlAllowed('wss://gateway-us-east1-b.discord.gg', discord)).toBe(true);
    expect(resumeUrlAllowed('wss://gateway-us-east1-b.discord.gg/', null)).toBe(true);
    expect(resumeUrlAllowed('wss://gateway.discord.gg.attacker.example', discord)).toBe(false);
    expect(resumeUrlAllowed('wss://attacker.example/.discord.gg', discord)).toBe(false);
    expect(resumeUrlAllowed('wss://attacker.example\\.discord.gg', discord)).toBe(false);
    expect(resumeUrlAllowed('ws://gateway-us-east1-b.discord.gg', discord)).toBe(false);
    expect(resumeUrlAllowed('wss://me:pw@gateway.discord.gg', discord)).toBe(false);
    expect(resumeUrlAllowed('wss://gateway.discord.gg?v=10', discord)).toBe(false);
    expect(resumeUrlAllowed('https://gateway.discord.gg', discord)).toBe(false);
    expect(resumeUrlAllowed('not a url', discord)).toBe(false);
    // The tests' fake: the host and port /gateway/bot gave, nothing else on that machine.
    const fake = 'ws://127.0.0.1:40123';
    expect(resumeUrlAllowed('ws://127.0.0.1:40123', fake)).toBe(true);
    expect(resumeUrlAllowed('ws://127.0.0.1:40124', fake)).toBe(false);
    expect(resumeUrlAllowed('wss://127.0.0.1:40123', fake)).toBe(false);
    expect(resumeUrlAllowed('ws://127.0.0.1:40123', null)).toBe(false);
  });

  it('is used only in the shape the bot wrote it', () => {
    const good = { sessionId: '0123456789abcdef0123456789abcdef', sequence: 42, resumeURL: 'wss://gateway-us-east1-b.discord.gg', shardId: 0, shardCount: 1 };
    expect(parseSession(JSON.stringify(good))).toEqual(good);
    expect(parseSession(JSON.stringify({ ...good, extra: 'dropped' }))).toEqual(good);
    for (const bad of [{ sessionId: 'a b' }, { sessionId: '' }, { sessionId: 'x'.repeat(129) }, { sequence: -1 }, { sequence: 1.5 }, { shardCount: 0 }, { resumeURL: 7 }]) {
      expect(parseSession(JSON.stringify({ ...good, ...bad }))).toBeNull();
    }
    expect(parseSession('{not json')).toBeNull();
    expect(parseSession(null)).toBeNull();
  });
});
