import { describe, expect, it } from 'vitest';
import { LocalWorkspace } from '../../src/adapters/local/local-workspace.js';

/** ChatPort.setTopic in the terminal workspace: the channel keeps the topic and a line says so. */

describe('local workspace: setting a channel topic', () => {
  it('replaces the topic and prints it labelled with the channel', async () => {
    const lines: string[] = [];
    const ws = new LocalWorkspace((line) => lines.push(line), 'incidents');
    const ref = await ws.createChannel('local', 'inc-1-db', { topic: 'INC-1 · P3 · DB', private: false });

    await ws.setTopic('local', ref.id, 'INC-1 · *P1* · DB, ask <@alice>');

    expect(ws.channels.get(ref.id)?.topic).toBe('INC-1 · *P1* · DB, ask <@alice>');
    expect(lines.at(-1)).toBe('[#inc-1-db] topic: INC-1 · P1 · DB, ask @alice');
  });
});
