import type { Deps } from './context.js';

/**
 * At start-up and then every minute, makes sure every incident that is waiting on an escalation step has its timer.
 * Step jobs normally exist already (BullMQ keeps them in Redis across restarts); this covers a
 * crash between recording a change and queueing its timer. Scheduling is idempotent by job id,
 * so re-arming a timer that exists changes nothing, and a step that fell due while the bot was
 * down runs at once.
 */
export async function rearmEscalations(deps: Deps): Promise<number> {
  let armed = 0;
  const now = deps.clock.now().getTime();
  for (const workspace of await deps.store.workspaces()) {
    for (const inc of await deps.store.list(workspace, { limit: 10_000 })) {
      const esc = inc.escalation;
      if (esc?.phase !== 'paging' || esc.nextStep === undefined) continue;
      const dueAt = esc.nextAt ?? new Date(now).toISOString();
      const ref = { workspace, number: inc.number, generation: esc.generation, step: esc.nextStep };
      await deps.scheduler.scheduleStep(ref, Math.max(0, Date.parse(dueAt) - now), dueAt, { replaceFailed: true });
      armed++;
    }
  }
  return armed;
}
