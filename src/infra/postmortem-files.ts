import { mkdir, writeFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { slugify } from '../core/naming.js';
import type { Incident } from '../core/model.js';
import type { PostmortemWriter } from '../core/ports.js';

/** Postmortem drafts as Markdown files: `<dir>/<workspace>/INC-<n>-<slug>.md`. */
export class PostmortemFiles implements PostmortemWriter {
  constructor(private readonly dir: string) {}

  async write(incident: Incident, markdown: string): Promise<string> {
    const folder = resolve(this.dir, slugify(incident.workspace, 60) || 'workspace');
    await mkdir(folder, { recursive: true });
    const path = join(folder, `${incident.ref}-${slugify(incident.title, 50) || 'incident'}.md`);
    // Written beside and renamed, so a reader never sees half a file.
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, markdown, 'utf8');
    await rename(tmp, path);
    return path;
  }
}
