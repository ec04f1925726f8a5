import { commands } from '../../commands/index.js';
import { LocalWorkspace } from '../../src/adapters/local/local-workspace.js';
import { LocalTerminal } from '../../src/adapters/local/terminal.js';
import { ManualClock } from '../../src/infra/clock.js';
import { openTestCore, parseTestConfig, type TestCore, type TestCoreOptions } from './core.js';
import { testRedis, type TestRedis } from './redis.js';

export interface TestApp extends Omit<TestCore, 'advance'> {
  chat: LocalWorkspace;
  terminal: LocalTerminal;
  clock: ManualClock;
  redis: TestRedis;
  /** Everything the local workspace printed, in order. */
  output: string[];
  /** Types a line as the current user and waits for everything it caused, queued messages included. */
  type(line: string): Promise<string[]>;
  /** Moves the clock, runs the escalation steps that fell due, waits for what they caused, and returns what was printed. */
  advance(ms: number): Promise<string[]>;
  close(): Promise<void>;
}

/** The real local workspace, dispatcher and Redis store, with a clock the test moves. */
/** Knobs of the core that tests of queue failures and relays turn (defaults as src/main.ts). */
export type TestAppOptions = Pick<TestCoreOptions, 'deliveryTimeoutMs' | 'outboundAttempts' | 'relay'>;

export async function testApp(configDoc: object = {}, start = new Date('2025-12-26T00:00:00Z'), options: TestAppOptions = {}): Promise<TestApp> {
  const redis = await testRedis();
  const output: string[] = [];
  const print = (line: string) => output.push(line);
  const chat = new LocalWorkspace(print, parseTestConfig(configDoc).channels.announce);
  const clock = new ManualClock(start);
  const core = await openTestCore({ redis, configDoc, clock, chat, ...options });
  const { deps, settle } = core;
  const terminal = new LocalTerminal(deps, chat, commands, print, { user: 'alice' });
  return {
    scheduler: core.scheduler,
    settle,
    async advance(ms) {
      const from = output.length;
      await core.advance(ms);
      return output.slice(from);
    },
    deps,
    chat,
    terminal,
    clock,
    log: core.log,
    redis,
    output,
    postmortemDir: core.postmortemDir,
    async type(line) {
      const from = output.length;
      await terminal.handleLine(line);
      await settle();
      return output.slice(from);
    },
    async close() {
      await core.close();
      await redis.cleanup();
    },
  };
}
