import { describe, expect, it } from 'vitest';
import { LocalWorkspace } from '../../src/adapters/local/local-workspace.js';
import { PlaygroundState } from '../../src/web/playground-state.js';

/**
 * What the playground shows whom (review findings of issue 14): a private channel only to its
 * members, as in Slack, and an answer with buttons only to the person it was for, however many
 * came after it.
 */

function workspace(): LocalWorkspace {
  return new LocalWorkspace(() => undefined, 'incidents');
}

describe('the playground state', () => {
  it('shows a private channel, its messages and its sidebar entry only to its members', async () => {
    const chat = workspace();
    const state = new PlaygroundState(chat);
    const secret = await chat.createChannel('local', 'inc-1-card-leak', { topic: 'INC-1', private: true });
    await chat.invite('local', secret.id, ['alice']);
    const ref = await chat.post('local', secret.id, { text: 'card numbers in the logs' });
    const msg = chat.messages.get(ref.messageId)!;

    expect(state.channelVisible('alice', secret.id)).toBe(true);
    expect(state.channelVisible('mallory', secret.id)).toBe(false);
    expect(state.messageVisible('mallory', msg)).toBe(false);
    expect(state.channelList('mallory').map((c) => c.id)).not.toContain(secret.id);
    expect(state.channelList('alice').map((c) => c.id)).toContain(secret.id);
    expect(state.conversation('mallory', secret.id)).toEqual([]);
    // A public channel stays open to everyone.
    expect(state.channelVisible('mallory', 'general')).toBe(true);
  });

  it('keeps an answer with buttons to its person, also after 500 others', () => {
    const chat = workspace();
    const state = new PlaygroundState(chat);
    chat.onChange((c) => state.observe(c));
    chat.whisper('alice', 'general', { text: 'only for alice', actions: [{ id: 'ack', label: 'Acknowledge', value: 'x' }] });
    const first = [...chat.messages.values()].find((m) => m.message.text === 'only for alice')!;
    for (let i = 0; i < 510; i++) chat.whisper('bob', 'general', { text: `for bob ${i}`, actions: [{ id: 'ack', label: 'Acknowledge', value: 'x' }] });
    expect(state.messageVisible('alice', first)).toBe(true);
    expect(state.messageVisible('carol', first)).toBe(false);
    expect(state.conversation('carol', 'general')).toEqual([]);
  });

  it('counts the DMs from the bot a person has not opened, until they open them', async () => {
    const chat = workspace();
    const state = new PlaygroundState(chat);
    await chat.dm('local', 'alice', { text: '📟 You are paged: INC-1' });
    await chat.dm('local', 'alice', { text: 'still paged' });
    await chat.dm('local', 'bob', { text: 'a follow-up is due' });
    expect(state.unseenDms(['alice', 'bob', 'carol'])).toEqual([
      { user: 'alice', count: 2 },
      { user: 'bob', count: 1 },
    ]);
    state.markDmSeen('alice');
    expect(state.unseenDms(['alice', 'bob'])).toEqual([{ user: 'bob', count: 1 }]);
    await chat.dm('local', 'alice', { text: 'paged again' });
    expect(state.unseenDms(['alice'])).toEqual([{ user: 'alice', count: 1 }]);
  });
});
