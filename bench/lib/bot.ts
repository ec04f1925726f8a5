import type { Deps } from '../../src/app/context.js';
import { deliver, runStep } from '../../src/app/escalation.js';
import { parseConfig } from '../../src/config.js';
import type { AppConfig } from '../../src/config.js';
import { translator } from '../../src/core/i18n/index.js';
import type { ChatPort, IncidentStore, Logger, Scheduler } from '../../src/core/ports.js';
import { systemClock } from '../../src/infra/clock.js';
import type { RedisClient } from '../../src/infra/redis-client.js';
import { PostmortemFiles } from '../../src/infra/postmortem-files.js';
import { startWorkers } from '../../src/scheduler/workers.js';
import type { StartWorkersOptions, Workers } from '../../src/scheduler/workers.js';
import { RedisOutbox } from '../../src/store/redis-outbox.js';
import { RedisOnCallStore } from '../../src/store/redis-oncall.js';
import { RedisIncidentStore } from '../../src/store/redis-store.js';
import { RedisStatsIndex } from '../../src/store/redis-stats.js';

/** The bot's parts as src/main.ts wires them, for the benches to vary one piece at a time. */

/** `doc` (policies, services…) parsed as the config file is, postmortems written to `pmDir`. */
export function benchConfig(pmDir: string, doc: object = {}): AppConfig {
  const parsed = parseConfig({ ...doc, postmortems: { dir: pmDir } });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.config;
}

export interface DepsParts {
  redis: RedisClient;
  prefix: string;
  config: AppConfig;
  chat: ChatPort;
  log: Logger;
  scheduler: Scheduler;
  /** The Redis store under `prefix` unless given (a wrapped one, say). */
  store?: IncidentStore;
}

/** Deps as src/main.ts builds them: Redis stores, the system clock, postmortem files. */
export function benchDeps(p: DepsParts): Deps {
  return {
    store: p.store ?? new RedisIncidentStore(p.redis, p.prefix),
    chat: p.chat,
    clock: systemClock,
    config: p.config,
    t: translator(p.config.locale),
    log: p.log,
    postmortems: new PostmortemFiles(p.config.postmortems.dir),
    scheduler: p.scheduler,
    oncall: new RedisOnCallStore(p.redis, p.prefix),
    outbox: new RedisOutbox(p.redis, p.prefix),
    stats: new RedisStatsIndex(p.redis, p.prefix),
    stepEffectsInBackground: true,
    eagerPages: true,
  };
}

/** startWorkers with onStep → runStep and deliver → deliver, as in src/main.ts; `more` overrides. */
export function benchWorkers(deps: Deps, url: string, queuePrefix: string, more: Partial<StartWorkersOptions> = {}): Workers {
  return startWorkers({ connection: url, prefix: queuePrefix, log: deps.log, onStep: (ref) => runStep(deps, ref), deliver: (job) => deliver(deps, job), ...more });
}
