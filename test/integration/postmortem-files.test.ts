import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../src/core/model.js';
import { PostmortemFiles } from '../../src/infra/postmortem-files.js';

/**
 * The postmortem files make each workspace's folder once per process; a folder removed while the
 * bot runs (by hand, a cleanup) is made again on the next draft instead of failing the close.
 */

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const incident = (number: number, title: string) => ({ workspace: 'T1', number, ref: `INC-${number}`, title }) as Incident;

describe('PostmortemFiles', () => {
  it('writes each draft whole into the workspace folder, and makes the folder again when it was removed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pm-files-'));
    dirs.push(dir);
    const files = new PostmortemFiles(dir);
    const first = await files.write(incident(1, 'DB down'), '# one\n');
    expect(await readFile(first, 'utf8')).toBe('# one\n');
    await rm(dir, { recursive: true, force: true });
    const second = await files.write(incident(2, 'Queue stuck'), '# two\n');
    expect(await readFile(second, 'utf8')).toBe('# two\n');
    // Renamed into place: no temporary file is left beside the draft.
    expect(await readdir(join(second, '..'))).toEqual(['INC-2-queue-stuck.md']);
  });
});
