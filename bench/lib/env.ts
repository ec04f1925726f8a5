/** Bench options from the environment. */

export type Print = (line: string) => void;

/** What every bench takes: the Redis to use and where its Markdown goes. */
export interface BenchOptions {
  redisUrl: string;
  print: Print;
}

/** A bench's numeric knobs: option → [environment variable, default]. */
export type Knobs = Record<string, readonly [name: string, fallback: number]>;

/** BenchOptions plus one positive integer per knob. */
export type OptionsOf<K extends Knobs> = BenchOptions & { [k in keyof K]: number };

/** REDIS_URL (default redis://127.0.0.1:6379), `print`, and each knob read with envInt. */
export function optionsFromKnobs<K extends Knobs>(knobs: K, env: NodeJS.ProcessEnv, print: Print): OptionsOf<K> {
  const values = Object.fromEntries(Object.entries(knobs).map(([key, [name, fallback]]) => [key, envInt(env, name, fallback)]));
  return { redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379', print, ...values } as OptionsOf<K>;
}

/** A bench's `optionsFromEnv(env = process.env, print = console.log)` for `knobs`. */
export function knobReader<K extends Knobs>(knobs: K): (env?: NodeJS.ProcessEnv, print?: Print) => OptionsOf<K> {
  return (env = process.env, print = console.log) => optionsFromKnobs(knobs, env, print);
}

/** `raw` as a positive integer; `fallback` when unset or empty. */
export function positiveInt(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** The positive integer in env[name], or `fallback`. */
export function envInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return positiveInt(env[name], fallback, name);
}
