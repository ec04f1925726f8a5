import { describe, expect, it } from 'vitest';
import { LocalWorkspace } from '../../src/adapters/local/local-workspace.js';

/** ChatPort.pin in the terminal workspace: the channel remembers its pins and a hint line says so once. */

describe('local workspace: pinning a message', () => {
  it('remembers the pin per channel and prints a short hint, once', async () => {
    const lines: string[] = [];
    const ws = new LocalWorkspace((line) => lines.push(line), 'incidents');
    const channel = await ws.createChannel('local', 'inc-1-db', { topic: 'INC-1', private: false });
    const ref = await ws.post('local', channel.id, { text: '*INC-1* DB down' });
    const before = lines.length;

    await ws.pin('local', ref);
    await ws.pin('local', ref);

    expect(ws.pins.get(channel.id)).toEqual([ref.messageId]);
    expect(lines.slice(before)).toEqual([`[#inc-1-db · ${ref.messageId}] 📌 pinned`]);
  });
});
