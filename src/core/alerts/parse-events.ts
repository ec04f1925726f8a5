import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { check, type PayloadIssue } from './issues.js';
import { ALERT_LIMITS, LinkList, cleanLabels, firstText, freeText, instant, oneLine } from './sanitize.js';
import type { AlertBatch, NormalizedAlert } from './types.js';

/**
 * PagerDuty Events API v2 ("Send an Alert Event", developer.pagerduty.com): one event per
 * delivery, identified by its dedup_key. Anything that can page PagerDuty can page the bot by
 * pointing at /alerts/<source> instead of events.pagerduty.com/v2/enqueue.
 */

export const EVENT_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

const text = z.string().nullish();
const lowerCase = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);

const envelope = z.object({
  routing_key: z.string().min(1).max(256),
  event_action: z.preprocess(lowerCase, z.enum(['trigger', 'acknowledge', 'resolve'])),
  // An empty dedup_key is no key (PagerDuty generates one for a trigger).
  dedup_key: z.preprocess((v) => (v === '' ? undefined : v), z.string().max(255).nullish()),
  payload: z.unknown().optional(),
  links: z.array(z.object({ href: z.string(), text: text })).nullish(),
  images: z.array(z.object({ src: z.string(), href: text, alt: text })).nullish(),
  client: text,
  client_url: text,
});

/** Required for a trigger only: acknowledge and resolve need nothing but the dedup_key. */
const triggerPayload = z.object({
  summary: z.string().min(1),
  source: z.string().min(1),
  severity: z.preprocess(lowerCase, z.enum(EVENT_SEVERITIES)),
  timestamp: text,
  component: text,
  group: text,
  class: text,
  custom_details: z.unknown().optional(),
});

/** A resolve or acknowledge may still carry a payload: what of it is readable is used, the rest ignored. */
const looseText = z.string().optional().catch(undefined);
const looseTriggerPayload = z
  .object({
    summary: looseText,
    source: looseText,
    severity: z.preprocess(lowerCase, z.enum(EVENT_SEVERITIES).optional()).catch(undefined),
    timestamp: looseText,
    component: looseText,
    group: looseText,
    class: looseText,
    custom_details: z.unknown().optional(),
  })
  .catch({});

type Envelope = z.infer<typeof envelope>;
type TriggerPayload = Partial<z.infer<typeof triggerPayload>>;

export function parseEventsPayload(body: unknown, newKey: () => string = randomUUID): { ok: true; batch: AlertBatch } | { ok: false; issues: PayloadIssue[] } {
  const parsed = check(envelope, body);
  if (!parsed.ok) return parsed;
  const event = parsed.data;
  let payload: TriggerPayload;
  if (event.event_action === 'trigger') {
    const p = check(triggerPayload, event.payload, ['payload']);
    if (!p.ok) return p;
    payload = p.data;
  } else {
    if (!event.dedup_key) return { ok: false, issues: [{ path: 'dedup_key', message: `Required for ${event.event_action}` }] };
    payload = looseTriggerPayload.parse(event.payload ?? {});
  }
  const dedupKey = event.dedup_key ?? newKey();
  const alert = eventAlert(event, payload, dedupKey);
  return {
    ok: true,
    batch: {
      groupKey: dedupKey,
      alerts: [alert],
      ...(firstText(payload.summary) ? { title: oneLine(payload.summary!, ALERT_LIMITS.title) } : {}),
      ...(event.event_action === 'acknowledge' ? { acknowledge: true } : {}),
      routingKey: event.routing_key,
    },
  };
}

function eventAlert(event: Envelope, payload: TriggerPayload, dedupKey: string): NormalizedAlert {
  const links = new LinkList();
  for (const link of event.links ?? []) links.add(firstText(link.text) ?? 'link', link.href);
  for (const image of event.images ?? []) {
    links.add(firstText(image.alt) ?? 'image', image.src);
    links.add(firstText(image.alt) ?? 'image', image.href);
  }
  links.add(firstText(event.client) ?? 'client', event.client_url);
  const labels = cleanLabels(
    Object.fromEntries(
      (['source', 'component', 'group', 'class', 'severity'] as const).flatMap((k) => {
        const v = payload[k];
        return typeof v === 'string' && v !== '' ? [[k, v]] : [];
      }),
    ),
  );
  const summary = freeText(payload.summary ?? '', ALERT_LIMITS.summary) || dedupKey;
  const description = detailsText(payload.custom_details);
  const startsAt = instant(payload.timestamp);
  return {
    fingerprint: dedupKey,
    // An acknowledge changes no alert: it stays firing, and the batch says `acknowledge`.
    status: event.event_action === 'resolve' ? 'resolved' : 'firing',
    summary,
    ...(description ? { description } : {}),
    labels,
    links: links.links,
    ...(startsAt ? { startsAt } : {}),
    ...(payload.severity ? { severity: payload.severity } : {}),
  };
}

/** custom_details (any JSON) as text for the incident: a string as is, anything else as JSON. */
function detailsText(details: unknown): string | undefined {
  if (details === undefined || details === null) return undefined;
  const raw = typeof details === 'string' ? details : JSON.stringify(details);
  const text = freeText(raw, ALERT_LIMITS.description);
  return text || undefined;
}
