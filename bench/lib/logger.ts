import type { Logger } from '../../src/core/ports.js';

/** A Logger that only counts warnings and errors (a bench must notice a failing bot) and keeps a few. */
export class CountingLogger implements Logger {
  warnings = 0;
  errorCount = 0;
  /** The first warning or error with its data (Errors as their message). */
  first: string | undefined;
  /** The first five errors, data cut at 200 characters. */
  readonly errors: string[] = [];

  get problems(): number {
    return this.warnings + this.errorCount;
  }
  info(): void {}
  warn(data: object, msg: string): void {
    this.warnings++;
    this.note(data, msg);
  }
  error(data: object, msg: string): void {
    if (++this.errorCount <= 5) this.errors.push(`${msg} ${JSON.stringify(data).slice(0, 200)}`);
    this.note(data, msg);
  }
  child(): Logger {
    return this;
  }
  /** Throws when anything was logged at warn or error; `phase` names where, if given. */
  assertQuiet(phase?: string): void {
    if (this.problems > 0) throw new Error(`bench: ${this.problems} warnings/errors were logged${phase ? ` in the ${phase}` : ''}: ${this.first}`);
  }
  private note(data: object, msg: string): void {
    this.first ??= `${msg} ${JSON.stringify(data, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`;
  }
}
