import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { redisCpuSeconds } from '../lib/redis.js';

/** What the escalation bench watches while timers fire: event-loop delay, GC, CPU; and its clocks. */

export interface LoopDelay {
  p99: number;
  max: number;
  /** Garbage collections meanwhile: how many, their total and longest pause, ms. */
  gcs: number;
  gcMs: number;
  gcMaxMs: number;
}

/** Event-loop delay of this process from now until stop(): how long ready callbacks waited. */
export function loopDelay(): { stop: () => LoopDelay } {
  const h: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const gc = { gcs: 0, gcMs: 0, gcMaxMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.gcs++;
      gc.gcMs += e.duration;
      gc.gcMaxMs = Math.max(gc.gcMaxMs, e.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      h.disable();
      observer.disconnect();
      // Nanoseconds; the sampling interval itself is included, so subtract it.
      return { p99: Math.max(0, h.percentile(99) / 1e6 - 10), max: Math.max(0, h.max / 1e6 - 10), ...gc };
    },
  };
}

export interface Firing {
  eventLoop: LoopDelay;
  /** This process's and redis-server's CPU over the window, percent of one core. */
  cpuPct: number;
  redisPct: number;
}

/** Event-loop delay, GC and CPU (ours and redis-server's, read on `redisInfo`) while `wait` runs. */
export async function measureFiring(redisInfo: Redis, wait: () => Promise<void>): Promise<Firing> {
  const cpu0 = process.cpuUsage();
  const redis0 = await redisCpuSeconds(redisInfo);
  const loop = loopDelay();
  const w0 = Date.now();
  await wait();
  const eventLoop = loop.stop();
  const wallS = (Date.now() - w0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const redisS = (await redisCpuSeconds(redisInfo)) - redis0;
  return { eventLoop, cpuPct: (100 * (cpu.user + cpu.system)) / 1e6 / wallS, redisPct: (100 * redisS) / wallS };
}

/** A small seeded PRNG, so both phases draw the same kind of spread run after run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(50);
  }
}
