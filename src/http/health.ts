import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from '../core/ports.js';
import type { PromMetrics } from '../infra/metrics.js';

/**
 * /livez, /readyz and /metrics. Liveness is only "the process answers": restarting a bot because
 * Redis is away would not bring Redis back. Readiness names each part that does not work, so
 * the 503 body says what to look at; each check has a second to answer, so a hung Redis makes
 * the probe fail rather than time out.
 */

/** true when the part works; false or a reason when it does not. May be async. */
export type ReadinessCheck = () => boolean | string | Promise<boolean | string>;

export const CHECK_TIMEOUT_MS = 1_000;

export interface HealthOptions {
  readiness: ReadonlyMap<string, ReadinessCheck>;
  metrics?: PromMetrics;
  log: Logger;
}

export function healthRoutes(o: HealthOptions): FastifyPluginAsync {
  return async (app) => {
    app.get('/livez', async () => ({ ok: true }));
    app.get('/readyz', async (_req, reply) => {
      const results = await Promise.all([...o.readiness].map(async ([name, check]) => [name, await run(check)] as const));
      const checks = Object.fromEntries(results);
      const failing = results.filter(([, r]) => r !== 'ok').map(([name]) => name);
      if (failing.length === 0) return { ok: true, checks };
      return reply.code(503).send({ ok: false, failing, checks });
    });
    app.get('/metrics', async (_req, reply) => {
      if (!o.metrics) return reply.code(404).send({ error: 'metrics are off' });
      const { contentType, text } = await o.metrics.scrape();
      return reply.type(contentType).send(text);
    });
  };
}

/** 'ok', or why not. */
async function run(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
  });
  try {
    const answer = await Promise.race([Promise.resolve().then(check), timeout]);
    if (answer === true) return 'ok';
    return typeof answer === 'string' ? answer : 'not ready';
  } catch (err) {
    return (err as Error).message || 'failed';
  } finally {
    clearTimeout(timer);
  }
}
