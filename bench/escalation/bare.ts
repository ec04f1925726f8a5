import { Queue, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { connectionOptions } from '../../src/scheduler/bullmq-scheduler.js';
import { newClient } from '../lib/fixture.js';
import { stats } from '../lib/stats.js';
import type { Stats } from '../lib/stats.js';
import { STEP_CONCURRENCY } from './options.js';
import type { EscalationTimersOptions } from './options.js';
import { measureFiring, mulberry32, sleep, until } from './probes.js';
import type { Firing } from './probes.js';

/**
 * Phase 2 of the escalation bench, the floor: one Queue + one Worker (same Redis, same
 * concurrency as the step worker, no-op processor), `timers` delayed jobs due uniformly over
 * `windowS` seconds. Lateness = Date.now() in the processor − (job.timestamp + job.delay).
 */

export interface BareResult extends Firing {
  lateness: Stats;
  addS: number;
}

const NAME = 'bare';
const CHUNK = 500;

export async function bareBullmq(url: string, queuePrefix: string, o: EscalationTimersOptions): Promise<BareResult> {
  const queue = new Queue(NAME, { connection: connectionOptions(url), prefix: queuePrefix });
  const lateness: number[] = [];
  let mismatched = 0;
  const worker = new Worker(
    NAME,
    async (job: Job<{ i: number; due: number }>) => {
      // job.delay reads 0 once BullMQ has promoted the job; opts.delay keeps what was asked.
      const due = job.timestamp + (job.opts.delay ?? 0);
      lateness.push(Date.now() - due);
      if (due !== job.data.due) mismatched++;
    },
    { connection: connectionOptions(url, true), prefix: queuePrefix, concurrency: STEP_CONCURRENCY },
  );
  const redisInfo = newClient(url);
  try {
    await worker.waitUntilReady();
    const { addS, firstDue } = await addJobs(queue, o);
    // CPU measured over the firing window only.
    await sleep(Math.max(0, firstDue - Date.now()));
    const firing = await measureFiring(redisInfo, () => until(() => lateness.length >= o.timers, o.windowS * 1000 + 120_000, 'bare BullMQ jobs'));
    if (mismatched > 0) throw new Error(`bench: ${mismatched} bare jobs were not due when planned (timestamp + delay)`);
    return { lateness: stats(lateness), addS, ...firing };
  } finally {
    await worker.close();
    await queue.close();
    await redisInfo.quit().catch(() => undefined);
  }
}

/** The delayed jobs, added in chunks with addBulk; due from `bareLeadS` after the first add on. */
async function addJobs(queue: Queue, o: EscalationTimersOptions): Promise<{ addS: number; firstDue: number }> {
  const random = mulberry32(o.seed);
  const t0 = Date.now();
  const firstDue = t0 + o.bareLeadS * 1000;
  for (let start = 0; start < o.timers; start += CHUNK) {
    const now = Date.now();
    const jobs = Array.from({ length: Math.min(CHUNK, o.timers - start) }, (_, j) => {
      const due = Math.max(now, Math.round(firstDue + random() * o.windowS * 1000));
      // Same options as BullScheduler.scheduleStep (minus its custom backoff), explicit timestamp.
      return {
        name: 'step',
        data: { i: start + j, due },
        opts: { jobId: `bare-${start + j}`, timestamp: now, delay: Math.max(0, due - now), attempts: 5, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: false },
      };
    });
    await queue.addBulk(jobs);
  }
  return { addS: (Date.now() - t0) / 1000, firstDue };
}
