import type { Actor, Incident } from '../../src/core/model.js';
import { declareEvents } from '../../src/core/lifecycle.js';
import { project } from '../../src/core/projection.js';
import type { PageContext, Viewer } from '../../src/web/context.js';
import { webTranslator } from '../../src/web/i18n/index.js';

/** Fixtures of the incidents area's tests (test/unit/web-incidents*.test.ts). */

export const alice: Actor = { id: 'U1', name: 'Alice Kim' };
export const bob: Actor = { id: 'U2', name: 'Bob Lee' };
export const carol: Actor = { id: 'U3', name: 'Carol' };

/** An incident as the projection makes it, with fields replaced by `over`. */
export function incident(number: number, over: Partial<Incident> & { declaredAt?: string } = {}, by: Actor = alice): Incident {
  const at = new Date(over.declaredAt ?? '2026-01-05T09:00:00.000Z');
  const base = project(null, declareEvents({ title: `Incident ${number}`, summary: 'something broke', severity: 'P2', private: false }, by, at), { workspace: over.workspace ?? 'local', number });
  return { ...base, ...over };
}

export function person(actor: Actor, workspace = 'local'): Viewer {
  return { kind: 'person', platform: 'local', workspace, userId: actor.id, name: actor.name };
}

export function pageCtx(viewer: Viewer, over: Partial<PageContext> = {}): PageContext {
  return {
    t: webTranslator('en'),
    lang: 'en',
    viewer,
    csrf: 'csrf-token',
    now: new Date('2026-01-10T00:00:00.000Z'),
    timeZone: 'UTC',
    playground: false,
    path: '/incidents',
    ...over,
  };
}
