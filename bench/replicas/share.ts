/**
 * How the replicas bench deals out its incidents: incident `i` is in workspace `w<i mod W>`, and
 * the incidents go to the replicas W at a time, in turn, so every replica works in every workspace.
 */

export function workspaceOf(i: number, workspaces: number): string {
  return `w${i % workspaces}`;
}

/** The incident indexes replica `replica` (0-based) of `replicas` drives, in order. */
export function shareOf(replica: number, replicas: number, incidents: number, workspaces: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < incidents; i++) if (Math.floor(i / workspaces) % replicas === replica) out.push(i);
  return out;
}
