import type { Clock } from '../core/ports.js';

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told: tests and the demo's replay of a real incident's times. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
