import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ingestAlerts } from '../app/alerts.js';
import type { Deps } from '../app/context.js';
import { checkRequest, checkRoutingKey } from '../core/alerts/auth.js';
import type { AlertSecret, AlertSourceConfig } from '../core/alerts/config.js';
import { parseAlertPayload } from '../core/alerts/parse.js';
import type { AlertBatch, IngestResult } from '../core/alerts/types.js';
import type { Metrics } from '../infra/metrics.js';

/**
 * POST /alerts/:sourceId. Checks run cheapest first, and nothing is written before the sender
 * has proved who it is: unknown source 404, too big 413, bad credentials 401, not JSON 400,
 * wrong routing key 401, not a payload of the source's kind 400 with the paths that failed.
 * Then the alerts are ingested. A fault of ours (Redis away, a store error, too many requests at
 * once) is a 503 with Retry-After, never a 4xx: Alertmanager and PagerDuty clients retry 5xx
 * and drop 4xx, and a dropped alert is a page nobody gets.
 */

export const MAX_ALERT_BODY_BYTES = 512 * 1024;
export const DEFAULT_MAX_IN_FLIGHT = 200;
const RETRY_AFTER_SECONDS = '5';
const EMPTY = Buffer.alloc(0);

export interface AlertRoutesOptions {
  deps: Deps;
  sources: readonly AlertSourceConfig[];
  /** Each source's secret by source id (resolveAlertSecrets). A source without one is refused. */
  secrets: ReadonlyMap<string, AlertSecret>;
  metrics?: Metrics;
  /** Alert requests under way at once before the next is answered 503 at once. Default 200. */
  maxInFlight?: number;
  /** A check without I/O (is Redis connected?): false answers 503 without trying. */
  available?: () => boolean;
  now?: () => number;
}

type AlertRequest = FastifyRequest<{ Params: { sourceId: string } }>;

export function alertRoutes(o: AlertRoutesOptions): FastifyPluginAsync {
  const sources = new Map(o.sources.map((s) => [s.id, s]));
  const limit = o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const count = (source: string | undefined, outcome: string): void => {
    if (source) o.metrics?.alertReceived(source, outcome);
  };
  let inFlight = 0;
  return async (app) => {
    // Every content type arrives as the exact bytes sent: a signature is computed over them.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.addHook('onRequest', async (req: AlertRequest, reply) => {
      const known = sources.has(req.params.sourceId) ? req.params.sourceId : undefined;
      // Credentials in the headers are checked before the body is read or a slot is taken: a
      // client without them cannot hold the slots a real sender needs (a signature or routing
      // key needs the body, and is checked once it is read).
      const secret = known ? o.secrets.get(known) : undefined;
      if (known && (!secret || ((secret.type === 'bearer' || secret.type === 'basic') && !checkRequest(secret, { headers: req.headers, rawBody: EMPTY }, Date.now()).ok))) {
        count(known, 'rejected');
        o.deps.log.warn({ source: known, reason: secret ? 'wrong or missing credentials' : 'no secret', ip: req.ip }, 'alert request refused');
        return reply.code(401).send({ error: 'unauthorized' });
      }
      if (inFlight >= limit) {
        count(known, 'unavailable');
        return unavailable(reply, 'too many alert requests at once');
      }
      inFlight++;
      reply.raw.once('close', () => inFlight--);
      if (!known) return reply.code(404).send({ error: `no alert source ${req.params.sourceId}` });
    });
    app.setErrorHandler((err: FastifyError, req: AlertRequest, reply) => {
      const source = sources.has(req.params.sourceId) ? req.params.sourceId : undefined;
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        count(source, 'too_large');
        return reply.code(413).send({ error: `the body is larger than ${MAX_ALERT_BODY_BYTES} bytes` });
      }
      if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ error: err.message });
      o.deps.log.error({ source, err }, 'alert request failed');
      count(source, 'unavailable');
      return unavailable(reply, 'the bot could not take the alert now');
    });
    app.post('/alerts/:sourceId', { bodyLimit: MAX_ALERT_BODY_BYTES }, async (req: AlertRequest, reply) => {
      const source = sources.get(req.params.sourceId) as AlertSourceConfig;
      const result = await accept(o, source, req);
      if ('status' in result) {
        count(source.id, result.outcome);
        if (result.outcome === 'unavailable') return unavailable(reply, result.error);
        return reply.code(result.status).send({ error: result.error, ...(result.issues ? { issues: result.issues } : {}) });
      }
      for (const [outcome, n] of Object.entries(result.outcomes)) o.metrics?.alertReceived(source.id, outcome, n);
      if (source.kind === 'events') return reply.code(202).send({ status: 'success', message: 'Event processed', dedup_key: result.dedupKey });
      return reply.code(200).send({ status: 'ok', incidents: result.incidents });
    });
  };
}

interface Refusal {
  status: number;
  outcome: 'rejected' | 'invalid' | 'unavailable';
  error: string;
  issues?: unknown[];
}

/** The request's checks in order, then the ingest; a refusal says which answer to give. */
async function accept(o: AlertRoutesOptions, source: AlertSourceConfig, req: AlertRequest): Promise<Refusal | IngestResult> {
  const log = o.deps.log.child({ source: source.id });
  const secret = o.secrets.get(source.id);
  if (!secret) return { status: 401, outcome: 'rejected', error: 'unauthorized' };
  const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const auth = checkRequest(secret, { headers: req.headers, rawBody }, (o.now ?? Date.now)());
  if (!auth.ok) {
    log.warn({ reason: auth.reason, ip: req.ip }, 'alert request refused');
    return { status: 401, outcome: 'rejected', error: 'unauthorized' };
  }
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { status: 400, outcome: 'invalid', error: 'the body is not valid JSON' };
  }
  if (!checkRoutingKey(secret, routingKeyOf(body))) {
    log.warn({ reason: 'wrong routing_key', ip: req.ip }, 'alert request refused');
    return { status: 401, outcome: 'rejected', error: 'unauthorized' };
  }
  let parsed: ReturnType<typeof parseAlertPayload>;
  try {
    parsed = parseAlertPayload(source.kind, body);
  } catch {
    // A payload nested too deep for the parser (JSON.parse takes it; turning it into text does not).
    return { status: 400, outcome: 'invalid', error: `not a valid ${source.kind} payload: nested too deeply` };
  }
  if (!parsed.ok) return { status: 400, outcome: 'invalid', error: `not a valid ${source.kind} payload`, issues: parsed.issues };
  if (o.available && !o.available()) return { status: 503, outcome: 'unavailable', error: 'the bot cannot reach its store now' };
  return ingest(o, source, parsed.batch);
}

async function ingest(o: AlertRoutesOptions, source: AlertSourceConfig, batch: AlertBatch): Promise<Refusal | IngestResult> {
  try {
    return await ingestAlerts(o.deps, source, batch);
  } catch (err) {
    o.deps.log.error({ source: source.id, groupKey: batch.groupKey, err }, 'alert ingest failed');
    return { status: 503, outcome: 'unavailable', error: 'the bot could not record the alert now' };
  }
}

function routingKeyOf(body: unknown): string | undefined {
  const key = body && typeof body === 'object' ? (body as { routing_key?: unknown }).routing_key : undefined;
  return typeof key === 'string' ? key : undefined;
}

function unavailable(reply: FastifyReply, error: string): FastifyReply {
  return reply.code(503).header('retry-after', RETRY_AFTER_SECONDS).send({ error });
}
