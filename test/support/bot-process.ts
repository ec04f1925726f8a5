import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * The bot as `npm start` runs it (`node --import tsx src/main.ts`), in a child process whose
 * stdin stays open until `end()`: lines are typed one at a time while the test watches its
 * stdout grow, so it can wait for a page, kill the process mid-incident, or restart its Redis.
 */

export interface BotExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BotProcess {
  readonly name: string;
  readonly pid: number | undefined;
  /** Everything printed so far. */
  out(): string;
  err(): string;
  /** Types one line on the bot's stdin. */
  type(line: string): void;
  /** Ends stdin: the bot shuts down on its own. */
  end(): void;
  /**
   * Resolves with the match once `pattern` appears in stdout (searched from `from`, default 0);
   * rejects after `timeoutMs` or when the bot exits first, with the tail of its output.
   */
  waitFor(pattern: RegExp, timeoutMs: number, from?: number): Promise<RegExpExecArray>;
  /** True until the process has exited. */
  running(): boolean;
  /** Resolves when the process has exited (at once if it already has). */
  exited(): Promise<BotExit>;
  /** Waits up to `timeoutMs` for the exit; rejects with the output tail otherwise. */
  waitForExit(timeoutMs: number): Promise<BotExit>;
  /** Kills the process (default SIGKILL) unless it already exited, and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<BotExit>;
}

const TAIL_CHARS = 2500;

function tail(text: string): string {
  return text.length > TAIL_CHARS ? `…${text.slice(-TAIL_CHARS)}` : text;
}

/** `env.PORT` unset means a free port (0): bots of parallel test files never clash on 3000. */
export function startBot(name: string, env: NodeJS.ProcessEnv, cwd = process.cwd()): BotProcess {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd,
    env: { ...env, PORT: env.PORT ?? '0' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let exit: BotExit | undefined;
  const listeners = new Set<() => void>();
  const notify = (): void => listeners.forEach((l) => l());
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    notify();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  // A write after the bot died must not crash the test run with EPIPE.
  child.stdin.on('error', () => undefined);
  const exitPromise = new Promise<BotExit>((resolve) => {
    child.on('error', (e) => {
      err += `\n[spawn error] ${e.message}`;
      exit ??= { code: null, signal: null };
      resolve(exit);
      notify();
    });
    child.on('close', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
      notify();
    });
  });

  const report = (): string =>
    `--- ${name} stdout (tail) ---\n${tail(out)}\n--- ${name} stderr (tail) ---\n${tail(err)}\n--- ${name} exit: ${exit ? JSON.stringify(exit) : 'still running'}`;

  const bot: BotProcess = {
    name,
    get pid() {
      return child.pid;
    },
    out: () => out,
    err: () => err,
    type(line) {
      if (!child.stdin.writable) throw new Error(`${name}: stdin is closed; cannot type ${JSON.stringify(line)}\n${report()}`);
      child.stdin.write(`${line}\n`);
    },
    end() {
      if (child.stdin.writable) child.stdin.end();
    },
    waitFor(pattern, timeoutMs, from = 0) {
      const started = Date.now();
      return new Promise<RegExpExecArray>((resolve, reject) => {
        const check = (): boolean => {
          const re = new RegExp(pattern.source, pattern.flags.replace('g', ''));
          const m = re.exec(out.slice(from));
          if (m) {
            done();
            resolve(m);
            return true;
          }
          if (exit) {
            done();
            reject(new Error(`${name} exited before printing ${pattern} (after ${Date.now() - started} ms)\n${report()}`));
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms\n${report()}`));
        }, timeoutMs);
        const listener = (): void => void check();
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(listener);
        };
        if (!check()) listeners.add(listener);
      });
    },
    running: () => exit === undefined,
    exited: () => exitPromise,
    async waitForExit(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} did not exit within ${timeoutMs} ms\n${report()}`)), timeoutMs);
      });
      try {
        return await Promise.race([exitPromise, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async kill(signal = 'SIGKILL') {
      if (!exit && child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exitPromise;
    },
  };
  return bot;
}

/** How many times `pattern` occurs in `text` (the pattern need not carry the g flag). */
export function countMatches(text: string, pattern: RegExp): number {
  const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  return [...text.matchAll(re)].length;
}
