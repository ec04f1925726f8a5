import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalWorkspace } from '../../src/adapters/local/local-workspace.js';

/** The local workspace's id file: message ids go on across restarts instead of starting at m1. */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-ids-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const workspace = (idFile?: string) => new LocalWorkspace(() => {}, 'incidents', false, idFile ? { idFile } : {});

describe('LocalWorkspace message ids', () => {
  it('go on from the id file after a restart, for people and for the bot', async () => {
    const file = join(dir, 'data', 'local-ids.json'); // the data dir need not exist yet
    const first = workspace(file);
    expect(first.say('bob', 'general', 'one').id).toBe('m1');
    expect((await first.post('local', 'general', { text: 'two' })).messageId).toBe('m2');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ lastMessageId: 2 });

    const second = workspace(file);
    expect(second.say('bob', 'general', 'three').id).toBe('m3');
    expect((await second.dm('local', 'alice', { text: 'four' })).messageId).toBe('m4');
    // Written by rename: no temporary file is left beside it.
    expect(await readdir(join(dir, 'data'))).toEqual(['local-ids.json']);
  });

  it('without an id file, ids live in memory as before', () => {
    expect(workspace().say('bob', 'general', 'x').id).toBe('m1');
    expect(workspace().say('bob', 'general', 'x').id).toBe('m1');
  });

  it('refuses an id file it cannot read rather than start again at m1', async () => {
    const file = join(dir, 'local-ids.json');
    await writeFile(file, 'not json');
    expect(() => workspace(file)).toThrow(/local-ids\.json does not hold a message id counter/);
    await writeFile(file, '{"lastMessageId": -1}');
    expect(() => workspace(file)).toThrow(/does not hold a message id counter/);
  });

  it('hands out no id it could not write down', async () => {
    const file = join(dir, 'data', 'local-ids.json');
    const ws = workspace(file);
    await rm(join(dir, 'data'), { recursive: true });
    await writeFile(join(dir, 'data'), ''); // the directory is gone: writes fail
    expect(() => ws.say('bob', 'general', 'lost?')).toThrow();
    expect(ws.messages.size).toBe(0);
  });
});
