import { PlatformError } from '../core/errors.js';
import type { IncidentEvent } from '../core/events.js';
import type { ChatPort, IncidentStore } from '../core/ports.js';
import type { Metrics } from './metrics.js';

/**
 * The two places metrics watch from, so no use case has to remember to count. Every incident
 * fact passes through `IncidentStore.append`, and an append that returned true happened exactly
 * once (a lost race returns false and is decided again; a duplicate writes nothing), so counting
 * there counts each declaration, page and acknowledgement once, whoever caused it. Every call the
 * core makes to a platform passes through the ChatPort, so a failure is counted there by kind.
 */

export function observedStore(store: IncidentStore, metrics: Metrics): IncidentStore {
  const append: IncidentStore['append'] = async (key, expectedVersion, events, next, options) => {
    const written = await store.append(key, expectedVersion, events, next, options);
    // A drill's declaration, pages and acknowledgements are practice: no metric counts them.
    if (written === true && !next.drill) for (const e of events) count(metrics, e);
    return written;
  };
  return delegate(store, { append });
}

function count(metrics: Metrics, e: IncidentEvent): void {
  if (e.type === 'declared') metrics.incidentDeclared(e.severity);
  else if (e.type === 'page_sent') metrics.pageSent();
  else if (e.type === 'acknowledged') metrics.acknowledged(e.ttaMs);
}

const CHAT_METHODS: ReadonlySet<PropertyKey> = new Set<keyof ChatPort>(['createChannel', 'invite', 'setTopic', 'post', 'update', 'dm', 'announce', 'react', 'pin', 'dmFile', 'userName', 'isMember']);

/** The chat port, counting each failed call by its PlatformError kind (`other` for anything else). */
export function observedChat(chat: ChatPort, metrics: Metrics, platform: string): ChatPort {
  return new Proxy(chat, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const fn = value as (...a: unknown[]) => Promise<unknown>;
      if (!CHAT_METHODS.has(prop)) return fn.bind(target);
      return async (...args: unknown[]) => {
        try {
          return await fn.apply(target, args);
        } catch (err) {
          metrics.platformError(platform, err instanceof PlatformError ? err.kind : 'other');
          throw err;
        }
      };
    },
  });
}

/** `target` with some methods replaced; every other property is the target's own, bound to it. */
function delegate<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (prop in overrides) return overrides[prop as keyof T];
      const value: unknown = Reflect.get(t, prop, t);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}
