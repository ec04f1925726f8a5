import type { LiveStreams } from './incident-live.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../app/context.js';
import { canSee } from '../core/authz.js';
import type { Incident } from '../core/model.js';
import type { WebLang, WebTranslate } from './i18n/index.js';

/**
 * Who is looking at a dashboard page, and what a page renderer gets. Every route under the web
 * plugin (src/web/server.ts) runs after the sign-in guard: a request without a session never
 * reaches a handler, so handlers read `pageOf(req)` and never see an anonymous viewer.
 */

/** A person signed in by a one-time link from chat (`/incident web`), or an operator with DASHBOARD_ADMIN_TOKEN. */
export type Viewer =
  | { kind: 'person'; platform: 'local' | 'slack' | 'discord'; workspace: string; userId: string; name: string }
  | { kind: 'admin' };

export interface PageContext {
  t: WebTranslate;
  lang: WebLang;
  viewer: Viewer;
  /** The CSRF token every form posts back (field `_csrf`, or header `x-csrf-token`). */
  csrf: string;
  now: Date;
  /** The config's time zone: times on pages are shown in it. */
  timeZone: string;
  /** The playground is served (local workspace, no chat credentials, bound to 127.0.0.1). */
  playground: boolean;
  /** The request's path, for the navigation's current item. */
  path: string;
}

/** What every area's routes get: the bot's deps and the page context of a request. */
export interface WebApp {
  deps: Deps;
  /** Where browsers reach the bot (PUBLIC_URL, else the server's own URL), no trailing slash: for absolute URLs such as the feeds. */
  readonly publicUrl: string;
  page(req: FastifyRequest): PageContext;
  /** The workspaces `viewer` may look into: a person their own, an operator every one the store knows. */
  workspacesOf(viewer: Viewer): Promise<string[]>;
  /** Signs `payload` (HMAC-SHA256 with the dashboard's secret, base64url); for URLs such as the iCal feeds. */
  sign(payload: string): string;
  /** Whether `signature` is `sign(payload)`, compared in constant time. */
  verify(payload: string, signature: string): boolean;
  /** The live (SSE) streams of every area, counted together: per process and per session. */
  readonly live: LiveStreams;
}

export type RegisterRoutes = (app: FastifyInstance, web: WebApp) => void | Promise<void>;

/**
 * Whether `viewer` may see `inc`: an operator sees everything; a person sees the incidents of
 * their own workspace, a private one only when they are one of its people (core/authz.ts canSee).
 */
export function canView(inc: Incident, viewer: Viewer, admins: readonly string[]): boolean {
  if (viewer.kind === 'admin') return true;
  return inc.workspace === viewer.workspace && canSee(inc, viewer.userId, { admins });
}
