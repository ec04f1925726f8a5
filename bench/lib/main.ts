import { pathToFileURL } from 'node:url';

/** Runs `run`, then exits 0, or prints the error and exits 1. */
export function exitWhenDone(run: () => Promise<void>): void {
  run().then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}

/** exitWhenDone(run) when the module at `moduleUrl` (its import.meta.url) is the script node started. */
export function runAsMain(moduleUrl: string, run: () => Promise<void>): void {
  if (process.argv[1] && moduleUrl === pathToFileURL(process.argv[1]).href) exitWhenDone(run);
}
