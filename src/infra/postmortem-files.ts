import { mkdir, writeFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { slugify } from '../core/naming.js';
import type { Incident } from '../core/model.js';
import type { PostmortemWriter } from '../core/ports.js';

/** Postmortem drafts as Markdown files: `<dir>/<workspace>/INC-<n>-<slug>.md`. */
export class PostmortemFiles implements PostmortemWriter {
  constructor(private readonly dir: string) {}

  /** Folders this process made: one mkdir per workspace, not per draft (a close writes one). */
  private readonly made = new Set<string>();

  async write(incident: Incident, markdown: string): Promise<string> {
    const folder = resolve(this.dir, slugify(incident.workspace, 60) || 'workspace');
    const path = join(folder, `${incident.ref}-${slugify(incident.title, 50) || 'incident'}.md`);
    // Written beside and renamed, so a reader never sees half a file.
    const tmp = `${path}.tmp-${process.pid}`;
    if (!this.made.has(folder)) await this.makeFolder(folder);
    try {
      await writeFile(tmp, markdown, 'utf8');
    } catch (err) {
      // The folder was removed since (by hand, a cleanup): made again, written again.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await this.makeFolder(folder);
      await writeFile(tmp, markdown, 'utf8');
    }
    await rename(tmp, path);
    return path;
  }

  private async makeFolder(folder: string): Promise<void> {
    await mkdir(folder, { recursive: true });
    this.made.add(folder);
  }
}
