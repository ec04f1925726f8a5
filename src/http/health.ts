import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from '../core/ports.js';
import type { PromMetrics } from '../infra/metrics.js';

/**
 * /livez, /readyz and /metrics. Liveness is only "the process answers": restarting a bot because
 * Redis is away would not bring Redis back. Readiness names each part that does not work, so
 * the 503 body says what to look at; each check has a second to answer, so a hung Redis makes
 * the probe fail rather than time out.
 */

/**
 * A check with more to say than "ok": a state shown in its place when ready (a replica that
 * stands by for Discord's gateway is `standby`, and ready), and facts for `details.<check>`
 * (which replica holds the gateway lease, with which fencing token).
 */
export interface ReadinessReport {
  /** true: ready; a string: why not. */
  ready: true | string;
  /** Shown for the check when it is ready; default `ok`. */
  state?: string;
  details?: Record<string, unknown>;
}

type Answer = boolean | string | ReadinessReport;

/** true when the part works; false or a reason when it does not; or a report. May be async. */
export type ReadinessCheck = () => Answer | Promise<Answer>;

export const CHECK_TIMEOUT_MS = 1_000;

export interface HealthOptions {
  readiness: ReadonlyMap<string, ReadinessCheck>;
  /** This process's replica id (REPLICA_ID), named in every /readyz answer. */
  replica?: string;
  metrics?: PromMetrics;
  log: Logger;
}

export function healthRoutes(o: HealthOptions): FastifyPluginAsync {
  return async (app) => {
    app.get('/livez', async () => ({ ok: true }));
    app.get('/readyz', async (_req, reply) => {
      const results = await Promise.all([...o.readiness].map(async ([name, check]) => [name, await run(check)] as const));
      const checks = Object.fromEntries(results.map(([name, r]) => [name, r.text]));
      const found = results.filter(([, r]) => r.details);
      const extra = { ...(o.replica ? { replica: o.replica } : {}), ...(found.length ? { details: Object.fromEntries(found.map(([name, r]) => [name, r.details])) } : {}) };
      const failing = results.filter(([, r]) => !r.ok).map(([name]) => name);
      if (failing.length === 0) return { ok: true, ...extra, checks };
      return reply.code(503).send({ ok: false, failing, ...extra, checks });
    });
    app.get('/metrics', async (_req, reply) => {
      if (!o.metrics) return reply.code(404).send({ error: 'metrics are off' });
      const { contentType, text } = await o.metrics.scrape();
      return reply.type(contentType).send(text);
    });
  };
}

/** Ready or not, the text shown ('ok', a state, or why not) and any details. */
async function run(check: ReadinessCheck): Promise<{ ok: boolean; text: string; details?: Record<string, unknown> }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
  });
  try {
    const answer = await Promise.race([Promise.resolve().then(check), timeout]);
    if (answer === true) return { ok: true, text: 'ok' };
    if (typeof answer === 'object') {
      const details = answer.details ? { details: answer.details } : {};
      return answer.ready === true ? { ok: true, text: answer.state ?? 'ok', ...details } : { ok: false, text: answer.ready, ...details };
    }
    return { ok: false, text: typeof answer === 'string' ? answer : 'not ready' };
  } catch (err) {
    return { ok: false, text: (err as Error).message || 'failed' };
  } finally {
    clearTimeout(timer);
  }
}
